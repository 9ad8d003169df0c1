-- 通报 三早 (二(九)): per region and month, this year's 三早 projects (count, started, past
-- their planned start and not started, the year's completed investment against the annual
-- plan) and next year's list being prepared (count, and those with all five 前期手续 已办);
-- one 合计 row per month from the same rows (GROUPING SETS), whose completion rate is
-- Σ completed / Σ annual plan, never the mean of the regions' rates.
with

three_early as (

    select * from {{ ref('fct_three_early_monthly') }}

),

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

by_region as (

    select
        region_code,
        period_month,
        count(*) filter (where three_early_year = year(period_month)) as three_early_count,
        count(*) filter (
            where three_early_year = year(period_month) and start_status = '已开工'
        ) as started_count,
        count(*) filter (
            where three_early_year = year(period_month) and start_status = '逾期未开工'
        ) as overdue_count,
        coalesce({{ sum_amount(
            'annual_plan_wan', 'three_early_year = year(period_month) and annual_plan_wan > 0'
        ) }}, 0) as annual_plan_wan,
        coalesce({{ sum_amount(
            'ytd_completed_wan', 'three_early_year = year(period_month) and annual_plan_wan > 0'
        ) }}, 0) as planned_ytd_completed_wan,
        count(*) filter (where three_early_year = year(period_month) + 1) as next_year_count,
        count(*) filter (
            where three_early_year = year(period_month) + 1 and approvals_done = 5
        ) as next_year_ready_count
    from three_early
    group by region_code, period_month

),

grouped as (

    select
        region_monthly.period_month,
        region_monthly.rank_group,
        region_monthly.region_code,
        regions.region_name,
        grouping(region_monthly.region_code) = 1 as is_total,
        cast(coalesce(sum(by_region.three_early_count), 0) as bigint) as three_early_count,
        cast(coalesce(sum(by_region.started_count), 0) as bigint) as started_count,
        cast(coalesce(sum(by_region.overdue_count), 0) as bigint) as overdue_count,
        coalesce({{ sum_amount('by_region.annual_plan_wan') }}, 0) as annual_plan_wan,
        coalesce({{ sum_amount('by_region.planned_ytd_completed_wan') }}, 0)
            as planned_ytd_completed_wan,
        cast(coalesce(sum(by_region.next_year_count), 0) as bigint) as next_year_count,
        cast(coalesce(sum(by_region.next_year_ready_count), 0) as bigint)
            as next_year_ready_count
    from region_monthly
    inner join regions on region_monthly.region_code = regions.region_code
    left join by_region
        on
            region_monthly.region_code = by_region.region_code
            and region_monthly.period_month = by_region.period_month
    group by grouping sets (
        (
            region_monthly.period_month,
            region_monthly.rank_group,
            region_monthly.region_code,
            regions.region_name
        ),
        (region_monthly.period_month)
    )

),

final as (

    select
        period_month,
        is_total,
        rank_group,
        region_code,
        case when is_total then '合计' else region_name end as region_name,
        three_early_count,
        started_count,
        {{ safe_divide('started_count', 'three_early_count') }} as start_rate,
        overdue_count,
        annual_plan_wan,
        planned_ytd_completed_wan,
        {{ safe_divide('planned_ytd_completed_wan', 'annual_plan_wan') }} as completion_rate,
        next_year_count,
        next_year_ready_count
    from grouped

)

select * from final
