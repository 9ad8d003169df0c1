-- 通报 审批时效 (二(十三)): per month, region and approval, the 前期手续 办结 in the month's
-- year up to its end — how many, the median and the longest days taken, and how many were
-- handled online; one 合计 row per month and approval over the city (GROUPING SETS: the
-- city's median is the median of all its approvals, not of the regions' medians). A region
-- without an approval of that kind done this year has no row for it.
with

approvals as (

    select * from {{ ref('fct_approvals') }}
    where done_on is not null

),

region_months as (

    select * from {{ ref('fct_region_monthly') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

done_this_year as (

    select
        region_months.period_month,
        region_months.rank_group,
        region_months.region_code,
        regions.region_name,
        approvals.approval,
        approvals.approval_name,
        approvals.days_taken,
        approvals.is_online
    from region_months
    inner join regions on region_months.region_code = regions.region_code
    inner join approvals
        on
            region_months.region_code = approvals.region_code
            and date_trunc('year', region_months.period_month) <= approvals.done_on
            and {{ month_end('region_months.period_month') }} >= approvals.done_on

),

grouped as (

    select
        period_month,
        approval,
        any_value(approval_name) as approval_name,
        rank_group,
        region_code,
        region_name,
        grouping(region_code) = 1 as is_total,
        count(*) as done_count,
        count(days_taken) as timed_count,
        median(days_taken) as median_days,
        max(days_taken) as max_days,
        count(*) filter (where is_online) as online_count,
        count(is_online) as online_reported_count
    from done_this_year
    group by grouping sets (
        (period_month, approval, rank_group, region_code, region_name),
        (period_month, approval)
    )

),

final as (

    select
        period_month,
        approval,
        approval_name,
        is_total,
        rank_group,
        region_code,
        case when is_total then '合计' else region_name end as region_name,
        done_count,
        timed_count,
        cast(median_days as double) as median_days,
        max_days,
        online_count,
        {{ safe_divide('online_count', 'online_reported_count') }} as online_share
    from grouped

)

select * from final
