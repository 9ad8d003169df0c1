-- 二(八) 招商引资: per region and month, the signed projects on the month's 招商引资签约项目
-- list — how many, their 签约金额 and 到位资金, the share in place, those signed this year,
-- how far they have landed (落地状态) — and, for every project the region has ever reported
-- as signed, whether it has since come on to the 前期 lists (明年拟开工, 专项债) and started
-- (在建 / 已开工未入统, or an actual start month reached). The project is one library entry
-- from signing to construction (int_project_rows_identified): its 在建 row, once there,
-- counts here without the 招商 list repeating it.
-- Everything is as of the end of the month.
{%- set signed_this_year =
    "year(signed_on) = year(period_month) and signed_on < period_month + interval 1 month" %}
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

region_months as (

    select * from {{ ref('int_region_months') }}

),

signed as (

    select
        region_code,
        period_month,
        count(*) as signed_project_count,
        {{ sum_amount('signed_amount_wan') }} as signed_amount_wan,
        {{ sum_amount('funds_in_place_wan') }} as funds_in_place_wan,
        count(*) filter (where {{ signed_this_year }}) as signed_this_year_count,
        {{ sum_amount('signed_amount_wan', signed_this_year) }} as signed_this_year_amount_wan,
        count(*) filter (where landing_status = '已签约') as status_signed_count,
        count(*) filter (where landing_status = '已注册') as status_registered_count,
        count(*) filter (where landing_status = '已落地') as status_landed_count,
        count(*) filter (where landing_status = '已开工') as status_started_count,
        count(*) filter (where landing_status is null) as status_unstated_count
    from projects_monthly
    where listed_investment_attraction
    group by region_code, period_month

),

-- Each project ever reported as signed: where and when first, and when it moved on.
milestones as (

    select
        project_key,
        arg_min(region_code, period_month) filter (where listed_investment_attraction)
            as signed_region_code,
        min(period_month) filter (where listed_investment_attraction) as first_signed_month,
        min(period_month) filter (
            where listed_planned_next_year or listed_special_bond
        ) as first_preparation_month,
        min(period_month) filter (
            where is_started or listed_under_construction or listed_unstated
        ) as first_started_month
    from projects_monthly
    group by project_key
    having first_signed_month is not null

),

followed as (

    select
        region_months.region_code,
        region_months.period_month,
        count(milestones.project_key) as cohort_count,
        count(milestones.project_key) filter (
            where milestones.first_preparation_month <= region_months.period_month
        ) as cohort_in_preparation_count,
        count(milestones.project_key) filter (
            where milestones.first_started_month <= region_months.period_month
        ) as cohort_started_count
    from region_months
    left join milestones
        on
            region_months.region_code = milestones.signed_region_code
            and region_months.period_month >= milestones.first_signed_month
    group by region_months.region_code, region_months.period_month

),

final as (

    select
        region_months.region_code,
        region_months.period_month,
        region_months.has_attraction_list,
        coalesce(signed.signed_project_count, 0) as signed_project_count,
        coalesce(signed.signed_amount_wan, 0) as signed_amount_wan,
        coalesce(signed.funds_in_place_wan, 0) as funds_in_place_wan,
        {{ safe_divide('signed.funds_in_place_wan', 'signed.signed_amount_wan') }}
            as funds_in_place_rate,
        coalesce(signed.signed_this_year_count, 0) as signed_this_year_count,
        coalesce(signed.signed_this_year_amount_wan, 0) as signed_this_year_amount_wan,
        coalesce(signed.status_signed_count, 0) as status_signed_count,
        coalesce(signed.status_registered_count, 0) as status_registered_count,
        coalesce(signed.status_landed_count, 0) as status_landed_count,
        coalesce(signed.status_started_count, 0) as status_started_count,
        coalesce(signed.status_unstated_count, 0) as status_unstated_count,
        followed.cohort_count,
        followed.cohort_in_preparation_count,
        followed.cohort_started_count,
        {{ safe_divide('followed.cohort_started_count', 'followed.cohort_count') }}
            as start_conversion_rate
    from region_months
    inner join followed
        on
            region_months.region_code = followed.region_code
            and region_months.period_month = followed.period_month
    left join signed
        on
            region_months.region_code = signed.region_code
            and region_months.period_month = signed.period_month

)

select * from final
