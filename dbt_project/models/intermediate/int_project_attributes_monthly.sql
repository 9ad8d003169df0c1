-- The project library as it stood at the end of each report month: one row per project
-- and month in which it was on a list or had a lifecycle stage, with the attributes
-- dim_project shows — the latest report up to that month, the flags ever reported up to
-- it, and the month's stage. dim_project is its last row per project; dim_project_history
-- its changes. Everything here follows the report months, so a rebuild from raw/ alone
-- gives the same rows, history included.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

stages as (

    select * from {{ ref('int_project_stages_monthly') }}
    where {{ in_rebuild_window() }}

),

reported as (

    select
        project_key,
        period_month as reported_month,
        project_code,
        region_code,
        project_name,
        project_owner,
        location,
        sector,
        construction_type,
        responsible_unit,
        responsible_person,
        coalesce(library_level, '县级') as library_level,
        case
            when is_started or listed_under_construction or listed_unstated then '在建'
            when listed_special_bond or is_central_budget_funded then '资金'
            else '谋划'
        end as library_type,
        total_investment_wan,
        planned_start_month,
        actual_start_month,
        planned_completion_month,
        is_big_project as is_50m_plus,
        bool_or(is_central_budget_funded) over so_far as is_central_budget,
        bool_or(is_special_bond_funded) over so_far as is_special_bond,
        bool_or(is_ppp) over so_far as is_ppp,
        is_three_early,
        is_winter_continuous,
        listed_under_construction,
        listed_unstated,
        listed_special_bond,
        listed_planned_next_year,
        listed_major_planning,
        listed_investment_attraction,
        min(period_month) over so_far as first_period_month,
        count(*) over so_far as months_listed,
        source_received_at
    from projects_monthly
    window so_far as (
        partition by project_key
        order by period_month
        rows between unbounded preceding and current row
    )

),

-- what is known up to a month reads every month before it; the rows are the window's
months as (

    select
        project_key,
        period_month
    from projects_monthly
    where {{ in_rebuild_window() }}
    union
    select
        project_key,
        period_month
    from stages

),

final as (

    select
        months.project_key,
        months.period_month,
        reported.* exclude (project_key, reported_month),
        reported.reported_month as last_period_month,
        stages.lifecycle_stage,
        stages.stage_note
    from months
    asof inner join reported
        on
            months.project_key = reported.project_key
            and months.period_month >= reported.reported_month
    left join stages
        on
            months.project_key = stages.project_key
            and months.period_month = stages.period_month

)

select * from final
