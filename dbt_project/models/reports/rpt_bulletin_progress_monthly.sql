-- 通报 推进情况 (三(三)): per region and month, the 在建 list (count, total investment, YTD
-- completed; the completion rate against the annual plan as fct_region_monthly has it),
-- 已开工未入统 in the month's last reported week and those that entered the statistics in
-- the month, and 冬季不停工 projects on the 在建 list; and one 合计 row per month from the
-- same rows (GROUPING SETS), whose completion rate is Σ completed / Σ annual plan over the
-- regions, never the mean of their rates.
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

projects_monthly as (

    select * from {{ ref('fct_project_monthly') }}

),

-- The weekly returns, each in the month its week starts in.
unstated_weekly as (

    select
        *,
        cast(date_trunc('month', period_week) as date) as period_month
    from {{ ref('fct_unstated_weekly') }}

),

under_construction as (

    select
        region_code,
        period_month,
        count(*) as under_construction_count,
        {{ sum_amount('total_investment_wan') }} as total_investment_wan,
        {{ sum_amount('ytd_completed_wan') }} as ytd_completed_wan,
        count(*) filter (where is_winter_continuous) as winter_count,
        coalesce({{ sum_amount('ytd_completed_wan', 'is_winter_continuous') }}, 0)
            as winter_ytd_completed_wan
    from projects_monthly
    where listed_under_construction
    group by region_code, period_month

),

last_weeks as (

    select
        region_code,
        period_month,
        max(period_week) as period_week
    from unstated_weekly
    group by region_code, period_month

),

-- 已开工未入统 as the month's last reported week of each region stands.
unstated as (

    select
        unstated_weekly.region_code,
        unstated_weekly.period_month,
        count(*) filter (where not unstated_weekly.is_entered) as unstated_count,
        max(unstated_weekly.weeks_since_start) filter (where not unstated_weekly.is_entered)
            as unstated_max_weeks,
        count(*) filter (
            where not unstated_weekly.is_entered and unstated_weekly.is_past_expected_entry
        ) as unstated_past_expected
    from unstated_weekly
    inner join last_weeks
        on
            unstated_weekly.region_code = last_weeks.region_code
            and unstated_weekly.period_week = last_weeks.period_week
    group by unstated_weekly.region_code, unstated_weekly.period_month

),

entered as (

    select
        region_code,
        period_month,
        count(distinct project_key) as entered_this_month
    from unstated_weekly
    where is_entered and date_trunc('month', stats_entry_month) = period_month
    group by region_code, period_month

),

by_region as (

    select
        region_monthly.period_month,
        region_monthly.rank_group,
        region_monthly.region_code,
        regions.region_name,
        coalesce(under_construction.under_construction_count, 0) as under_construction_count,
        coalesce(under_construction.total_investment_wan, 0) as total_investment_wan,
        coalesce(under_construction.ytd_completed_wan, 0) as ytd_completed_wan,
        -- the completion rate's numerator and denominator in fct_region_monthly: the 在建
        -- projects with an annual plan > 0
        region_monthly.ytd_completed_wan as planned_ytd_completed_wan,
        region_monthly.annual_plan_wan,
        region_monthly.completion_rate,
        region_monthly.schedule_gap_pp,
        coalesce(unstated.unstated_count, 0) as unstated_count,
        unstated.unstated_max_weeks,
        coalesce(unstated.unstated_past_expected, 0) as unstated_past_expected,
        coalesce(entered.entered_this_month, 0) as entered_this_month,
        coalesce(under_construction.winter_count, 0) as winter_count,
        coalesce(under_construction.winter_ytd_completed_wan, 0) as winter_ytd_completed_wan
    from region_monthly
    inner join regions on region_monthly.region_code = regions.region_code
    left join under_construction
        on
            region_monthly.region_code = under_construction.region_code
            and region_monthly.period_month = under_construction.period_month
    left join unstated
        on
            region_monthly.region_code = unstated.region_code
            and region_monthly.period_month = unstated.period_month
    left join entered
        on
            region_monthly.region_code = entered.region_code
            and region_monthly.period_month = entered.period_month

),

-- A region's row is its own (one row summed, the maximum of one); the 合计 row sums the
-- regions exactly (DECIMAL) and takes the longest wait.
grouped as (

    select
        period_month,
        rank_group,
        region_code,
        region_name,
        grouping(region_code) = 1 as is_total,
        cast(sum(under_construction_count) as bigint) as under_construction_count,
        {{ sum_amount('total_investment_wan') }} as total_investment_wan,
        {{ sum_amount('ytd_completed_wan') }} as ytd_completed_wan,
        {{ sum_amount('planned_ytd_completed_wan') }} as planned_ytd_completed_wan,
        {{ sum_amount('annual_plan_wan') }} as annual_plan_wan,
        any_value(completion_rate) as region_completion_rate,
        any_value(schedule_gap_pp) as region_schedule_gap_pp,
        cast(sum(unstated_count) as bigint) as unstated_count,
        max(unstated_max_weeks) as unstated_max_weeks,
        cast(sum(unstated_past_expected) as bigint) as unstated_past_expected,
        cast(sum(entered_this_month) as bigint) as entered_this_month,
        cast(sum(winter_count) as bigint) as winter_count,
        {{ sum_amount('winter_ytd_completed_wan') }} as winter_ytd_completed_wan
    from by_region
    group by grouping sets (
        (period_month, rank_group, region_code, region_name),
        (period_month)
    )

),

rated as (

    select
        *,
        case
            when is_total
                then {{ safe_divide('planned_ytd_completed_wan', 'annual_plan_wan') }}
            else region_completion_rate
        end as completion_rate
    from grouped

),

final as (

    select
        period_month,
        is_total,
        rank_group,
        region_code,
        case when is_total then '合计' else region_name end as region_name,
        under_construction_count,
        total_investment_wan,
        ytd_completed_wan,
        planned_ytd_completed_wan,
        annual_plan_wan,
        completion_rate,
        case
            when is_total
                then (completion_rate - {{ elapsed_year_share('period_month') }}) * 100
            else region_schedule_gap_pp
        end as schedule_gap_pp,
        unstated_count,
        unstated_max_weeks,
        unstated_past_expected,
        entered_this_month,
        winter_count,
        winter_ytd_completed_wan
    from rated

)

select * from final
