-- 环比 and 同比 (三(三) 通报): per region and month, the completion rate and the count of new
-- starts beside the previous calendar month's (环比, December before January) and the same
-- month of the previous year's (同比). NULL where the earlier month has no figure.
-- new_start_count counts the starts of year Y up to P, so January's 环比 sets one month's
-- starts against all of December's year.
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

final as (

    select
        current_month.period_month,
        current_month.rank_group,
        current_month.region_code,
        current_month.region_name,

        ---------- 年度计划完成率
        current_month.completion_rate,
        previous_month.completion_rate as previous_month_completion_rate,
        (current_month.completion_rate - previous_month.completion_rate) * 100
            as completion_rate_mom_pp,
        previous_year.completion_rate as previous_year_completion_rate,
        (current_month.completion_rate - previous_year.completion_rate) * 100
            as completion_rate_yoy_pp,

        ---------- 新开工项目个数
        current_month.new_start_count,
        previous_month.new_start_count as previous_month_new_start_count,
        current_month.new_start_count - previous_month.new_start_count as new_start_count_mom,
        previous_year.new_start_count as previous_year_new_start_count,
        current_month.new_start_count - previous_year.new_start_count as new_start_count_yoy

    from region_monthly as current_month
    left join region_monthly as previous_month
        on
            current_month.region_code = previous_month.region_code
            and previous_month.period_month = current_month.period_month - interval 1 month
    left join region_monthly as previous_year
        on
            current_month.region_code = previous_year.region_code
            and previous_year.period_month = current_month.period_month - interval 12 month

)

select * from final
