-- One row per project and reporting month P for every P of a year in which the project
-- has been on a list, from its first month of that year on: what is known of the project
-- in year Y up to the end of P. The 开复工率 family of indicators counts projects over
-- this population, so a project that started in March and was completed in August still
-- counts for October.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}
    -- the window's year from January: the running facts restart every year
    where {{ in_rebuild_window(reach='year') }}

),

months as (

    select * from {{ ref('int_report_months') }}

),

-- Running, within the year, facts that hold once they have been reported.
cumulative as (

    select
        project_key,
        period_month,
        year_start_month,
        region_code,
        project_name,
        sector,
        total_investment_wan,
        last_value(planned_start_month ignore nulls) over year_so_far
            as planned_start_month,
        last_value(actual_start_month ignore nulls) over year_so_far
            as actual_start_month,
        last_value(target_task ignore nulls) over year_so_far as last_target_task,
        last_value(completion_evidence ignore nulls) over year_so_far as completion_evidence,
        bool_or(is_started) over year_so_far as is_started,
        bool_or(is_continuing) over year_so_far as is_continuing,
        bool_or(is_resumed) over year_so_far as is_resumed,
        bool_or(is_central_budget_funded) over year_so_far as is_central_budget_funded,
        bool_or(listed_special_bond) over year_so_far as was_listed_special_bond,
        bool_or(listed_under_construction) over year_so_far
            as was_listed_under_construction,
        max(case when listed_under_construction then period_month end)
            over year_so_far as last_under_construction_month
    from projects_monthly
    window year_so_far as (
        partition by project_key, year_start_month
        order by period_month
        rows between unbounded preceding and current row
    )

),

project_years as (

    select
        project_key,
        year_start_month,
        min(period_month) as first_month_in_year
    from projects_monthly
    group by project_key, year_start_month

),

spine as (

    select
        project_years.project_key,
        months.period_month
    from project_years
    inner join months
        on
            project_years.year_start_month = months.year_start_month
            and project_years.first_month_in_year <= months.period_month

),

as_of_month as (

    select
        spine.project_key,
        spine.period_month,
        cumulative.period_month as last_listed_month,
        cumulative.period_month = spine.period_month as is_listed_in_month,
        cumulative.year_start_month,
        cumulative.region_code,
        cumulative.project_name,
        cumulative.sector,
        cumulative.total_investment_wan,
        cumulative.planned_start_month,
        cumulative.actual_start_month,
        cumulative.last_target_task,
        cumulative.completion_evidence,
        cumulative.is_started,
        cumulative.is_continuing,
        cumulative.is_resumed,
        cumulative.is_central_budget_funded,
        cumulative.was_listed_special_bond,
        cumulative.was_listed_under_construction,
        cumulative.last_under_construction_month
    from spine
    asof inner join cumulative
        on
            spine.project_key = cumulative.project_key
            and spine.period_month >= cumulative.period_month

),

final as (

    select
        *,
        -- This year's planned new starts (计划新开工): planned start month in year Y.
        coalesce(year(planned_start_month) = year(period_month), false)
            as is_planned_new_start,
        -- 新开工: actual start month in year Y, at or before P.
        coalesce(actual_start_month between year_start_month and period_month, false)
            as is_new_start
    from as_of_month

)

select * from final
where {{ in_rebuild_window() }}
