-- 前期手续 of the 明年拟开工 projects (二(三)、二(五)), month by month: which of the five
-- approvals are done, how many months remain to the planned start, and whether the
-- project is ready to start (倒排工期: every approval 已办 before the planned start).
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

planned as (

    select * from {{ ref('int_projects_monthly') }}
    where listed_planned_next_year and {{ in_rebuild_window() }}

),

approvals as (

    select
        *,
        {{ approvals_done() }} as approvals_done,
        {{ missing_approvals() }} as missing_approvals
    from planned

),

final as (

    select
        ---------- ids
        project_key,
        period_month,
        region_code,
        project_code,

        ---------- project
        project_name,
        project_owner,
        responsible_person,
        total_investment_wan,
        is_three_early,

        ---------- 前期手续 (已办/在办/未办, and the month when written)
        approval_project,
        approval_project_month,
        approval_land,
        approval_land_month,
        approval_planning,
        approval_planning_month,
        approval_environment,
        approval_environment_month,
        approval_construction,
        approval_construction_month,
        approvals_done,
        {{ approvals() | length }} - approvals_done as approvals_missing,
        nullif(missing_approvals, '') as missing_approvals,

        ---------- 倒排工期
        planned_start_month,
        {{ months_between('period_month', 'planned_start_month') }} as months_to_planned_start,
        is_started,
        missing_approvals = '' as is_ready_to_start

    from approvals

)

select * from final
