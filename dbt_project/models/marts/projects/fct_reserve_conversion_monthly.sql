-- 二(七) 储备转化: per region and month, the 重大谋划 projects of 1亿 and more in reserve,
-- how many of those ever in reserve have come on to the 明年拟开工 list (前期) and have
-- started (在建), the conversion rates, the months from first 谋划 to the start, and in
-- which 十四五 plan the reserve sits (plan_inclusion 国家/省/市/否: the latest stated).
-- Everything is as of the end of the month: a project counts from the month it first
-- reached the reserve, converted from the month it was first on the list or started.
-- The projects of the reserve that have left every list without starting, and those
-- among them whose whereabouts nobody stated (去向不明), come from int_project_exits.
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

region_months as (

    select * from {{ ref('int_region_months') }}

),

exits as (

    select * from {{ ref('int_project_exits') }}

),

stated_plan as (

    select
        project_key,
        period_month,
        region_code,
        total_investment_wan,
        listed_major_planning,
        listed_planned_next_year,
        coalesce(is_started or listed_under_construction or listed_unstated, false)
            as is_started,
        actual_start_month,
        last_value(plan_inclusion ignore nulls) over (
            partition by project_key
            order by period_month
            rows between unbounded preceding and current row
        ) as plan_inclusion
    from projects_monthly

),

in_reserve as (

    select *
    from stated_plan
    where listed_major_planning and total_investment_wan >= {{ var('reserve_min_investment_wan') }}

),

-- Each project that ever reached the reserve: where and when, and when it moved on.
milestones as (

    select
        project_key,
        min(period_month) filter (where listed_major_planning) as first_planning_month,
        min(period_month) filter (
            where listed_major_planning
            and total_investment_wan >= {{ var('reserve_min_investment_wan') }}
        ) as first_reserve_month,
        arg_min(region_code, period_month) filter (
            where listed_major_planning
            and total_investment_wan >= {{ var('reserve_min_investment_wan') }}
        ) as reserve_region_code,
        min(period_month) filter (where listed_planned_next_year) as first_preparation_month,
        min(period_month) filter (where is_started) as first_started_month,
        min(actual_start_month) filter (where is_started) as actual_start_month
    from stated_plan
    group by project_key
    having first_reserve_month is not null

),

cohort as (

    select
        milestones.*,
        -- The start: the month the county gave, else the month it was first seen started.
        date_diff(
            'month',
            milestones.first_planning_month,
            coalesce(milestones.actual_start_month, milestones.first_started_month)
        ) as months_to_start,
        exits.exit_month,
        exits.is_unexplained
    from milestones
    left join exits
        on milestones.project_key = exits.project_key

),

reserve as (

    select
        region_code,
        period_month,
        count(*) as reserve_count,
        {{ sum_amount('total_investment_wan') }} as reserve_investment_wan,
        count(*) filter (where plan_inclusion = '国家') as reserve_national_plan_count,
        count(*) filter (where plan_inclusion = '省') as reserve_provincial_plan_count,
        count(*) filter (where plan_inclusion = '市') as reserve_city_plan_count,
        count(*) filter (where plan_inclusion = '否') as reserve_not_in_plan_count,
        count(*) filter (where plan_inclusion is null) as reserve_plan_unstated_count
    from in_reserve
    group by region_code, period_month

),

conversion as (

    select
        region_months.region_code,
        region_months.period_month,
        count(cohort.project_key) as cohort_count,
        count(cohort.project_key) filter (
            where cohort.first_preparation_month <= region_months.period_month
        ) as converted_to_preparation_count,
        count(cohort.project_key) filter (
            where cohort.first_started_month <= region_months.period_month
        ) as converted_to_construction_count,
        median(cohort.months_to_start) filter (
            where cohort.first_started_month <= region_months.period_month
        ) as median_months_to_start,
        count(cohort.project_key) filter (
            where cohort.exit_month <= region_months.period_month
        ) as exited_count,
        count(cohort.project_key) filter (
            where cohort.exit_month <= region_months.period_month and cohort.is_unexplained
        ) as unexplained_exit_count
    from region_months
    left join cohort
        on
            region_months.region_code = cohort.reserve_region_code
            and region_months.period_month >= cohort.first_reserve_month
    group by region_months.region_code, region_months.period_month

),

final as (

    select
        region_months.region_code,
        region_months.period_month,
        region_months.has_submission,
        coalesce(reserve.reserve_count, 0) as reserve_count,
        coalesce(reserve.reserve_investment_wan, 0) as reserve_investment_wan,
        coalesce(reserve.reserve_national_plan_count, 0) as reserve_national_plan_count,
        coalesce(reserve.reserve_provincial_plan_count, 0) as reserve_provincial_plan_count,
        coalesce(reserve.reserve_city_plan_count, 0) as reserve_city_plan_count,
        coalesce(reserve.reserve_not_in_plan_count, 0) as reserve_not_in_plan_count,
        coalesce(reserve.reserve_plan_unstated_count, 0) as reserve_plan_unstated_count,
        conversion.cohort_count,
        conversion.converted_to_preparation_count,
        conversion.converted_to_construction_count,
        conversion.converted_to_preparation_count / nullif(conversion.cohort_count, 0)
            as preparation_conversion_rate,
        conversion.converted_to_construction_count / nullif(conversion.cohort_count, 0)
            as construction_conversion_rate,
        cast(conversion.median_months_to_start as double) as median_months_to_start,
        conversion.exited_count,
        conversion.unexplained_exit_count
    from region_months
    inner join conversion
        on
            region_months.region_code = conversion.region_code
            and region_months.period_month = conversion.period_month
    left join reserve
        on
            region_months.region_code = reserve.region_code
            and region_months.period_month = reserve.period_month

)

select * from final
