{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}
    where {{ in_rebuild_window() }}

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
        responsible_unit,
        contact_phone,
        sector,
        library_level,
        construction_type,
        target_task,

        ---------- list memberships
        listed_under_construction,
        listed_unstated,
        listed_special_bond,
        listed_planned_next_year,
        listed_major_planning,
        listed_investment_attraction,

        ---------- investment (万元) and 序时进度
        total_investment_wan,
        annual_plan_wan,
        ytd_completed_wan,
        completion_rate,
        schedule_gap_pp,

        ---------- months
        planned_start_month,
        actual_start_month,
        resume_month,
        planned_completion_month,
        stats_entry_month,

        ---------- flags as of the month's last day
        is_started,
        is_continuing,
        is_resumed,
        in_stats,
        is_big_project,
        is_central_budget_funded,
        is_special_bond_funded,
        is_ppp,
        is_three_early,
        is_winter_continuous,

        ---------- where a figure was reported: the project's own list, or one it was
        ---------- borrowed from (macros/project_lists.sql)
        primary_list,
        total_investment_source_list,
        ytd_completed_source_list,
        planned_start_source_list,
        actual_start_source_list,
        stats_entry_source_list,

        ---------- the cell the project's row came from (its own list)
        source_file,
        primary_sheet_name as source_sheet,
        primary_excel_row as source_excel_row

    from projects_monthly

)

select * from final
