-- 三早 tracking (二(九)): the projects a region put on its 三早 list (the 三早项目 flag on
-- the 明年拟开工 or 在建 list), followed month by month from the first month flagged to the
-- end of the year they are to start in: start status against the planned start, the 前期手续
-- done, and the year's completed investment against the annual plan.
--
-- The 三早 year is the year of the planned start the project carried when first flagged
-- (the year after, when it had none); a project stays on the list through that year even
-- if a later month drops the flag. Every figure of a row comes from its month and the
-- months before it, so the rebuild window recomputes exactly the months it replaces.
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

flagged as (

    select
        project_key,
        min(period_month) as first_flagged_month,
        coalesce(
            year(arg_min(planned_start_month, period_month)),
            year(min(period_month)) + 1
        ) as three_early_year
    from projects_monthly
    where is_three_early
    group by project_key

),

tracked as (

    select
        projects_monthly.*,
        flagged.first_flagged_month,
        flagged.three_early_year,
        {{ approvals_done() }} as approvals_done,
        {{ missing_approvals() }} as missing_approvals
    from projects_monthly
    inner join flagged
        on
            projects_monthly.project_key = flagged.project_key
            and projects_monthly.period_month >= flagged.first_flagged_month
            and year(projects_monthly.period_month) <= flagged.three_early_year
    where {{ in_rebuild_window('projects_monthly.period_month') }}

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
        three_early_year,
        first_flagged_month,
        is_three_early as is_flagged_this_month,
        listed_under_construction,
        listed_planned_next_year,

        ---------- start: 已开工, 逾期未开工 (the planned start month has passed), 待开工
        planned_start_month,
        actual_start_month,
        is_started,
        case
            when is_started then '已开工'
            when planned_start_month < period_month then '逾期未开工'
            else '待开工'
        end as start_status,

        ---------- 前期手续 as the month's planned list states them (NULL once off that list)
        case when listed_planned_next_year then approvals_done end as approvals_done,
        case when listed_planned_next_year then nullif(missing_approvals, '') end
            as missing_approvals,

        ---------- the year's investment (万元) against the annual plan
        annual_plan_wan,
        ytd_completed_wan,
        completion_rate

    from tracked

)

select * from final
