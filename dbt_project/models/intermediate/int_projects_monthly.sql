-- One row per project and reporting month in which the project is on at least one of the
-- six project lists (monthly workbooks; the weekly returns feed fct_unstated_weekly). A
-- field reported on several lists is taken from the list closest to the work on site:
-- 在建 (uc) > 已开工未入统 (un) > 专项债 (sb) > 明年拟开工 (pl) > 重大谋划 (mp) >
-- 招商引资 (ia) (macros/project_lists.sql). The project's own list is the first of these it
-- is on; an investment or month figure taken from another list says so (*_source_list), and the
-- county's report warns (int_dq_failures_unioned, rule value_from_other_list).
-- A project twice on one list keeps its first row (int_project_identity_conflicts reports
-- the duplicate).
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
{%- set all_lists = ['uc', 'un', 'sb', 'pl', 'mp', 'ia'] %}
with

files as (

    select
        submission_id,
        original_path
    from {{ ref('stg_raw__files') }}

),

monthly_rows as (

    select *
    from {{ ref('int_project_rows_identified') }}
    where period_month is not null and {{ in_rebuild_window() }}
    qualify
        row_number() over (
            partition by project_key, period_month, list_key
            order by region_code, sheet_name, excel_row
        ) = 1

),

uc as (

    select * from monthly_rows
    where list_key = 'under_construction'

),

un as (

    select * from monthly_rows
    where list_key = 'unstated'

),

sb as (

    select * from monthly_rows
    where list_key = 'special_bonds'

),

pl as (

    select * from monthly_rows
    where list_key = 'planned_next_year'

),

mp as (

    select * from monthly_rows
    where list_key = 'major_planning'

),

ia as (

    select * from monthly_rows
    where list_key = 'investment_attraction'

),

project_months as (

    select
        project_key,
        period_month,
        max(received_at) as source_received_at,
        count(*) as list_count
    from monthly_rows
    group by project_key, period_month

),

joined as (

    select
        ---------- ids
        project_months.project_key,
        project_months.period_month,
        {{ first_reported('region_code', all_lists) }} as region_code,
        {{ first_reported('resolved_project_code', all_lists) }} as project_code,

        ---------- list memberships
        uc.project_key is not null as listed_under_construction,
        un.project_key is not null as listed_unstated,
        sb.project_key is not null as listed_special_bond,
        pl.project_key is not null as listed_planned_next_year,
        mp.project_key is not null as listed_major_planning,
        ia.project_key is not null as listed_investment_attraction,
        project_months.list_count,
        case
            when uc.project_key is not null then 'under_construction'
            when un.project_key is not null then 'unstated'
            when sb.project_key is not null then 'special_bonds'
            when pl.project_key is not null then 'planned_next_year'
            when mp.project_key is not null then 'major_planning'
            else 'investment_attraction'
        end as primary_list,
        {{ first_reported('source_row_id', all_lists) }} as primary_source_row_id,
        -- The cell the project's own row came from (every row has all three).
        {{ first_reported('submission_id', all_lists) }} as primary_submission_id,
        {{ first_reported('sheet_name', all_lists) }} as primary_sheet_name,
        {{ first_reported('excel_row', all_lists) }} as primary_excel_row,

        ---------- project
        {{ first_reported('project_name', all_lists) }} as project_name,
        {{ first_reported('project_owner', all_lists) }} as project_owner,
        {{ first_reported('location', all_lists) }} as location,
        {{ first_reported('sector', all_lists) }} as sector,
        {{ first_reported('library_level', all_lists) }} as library_level,
        coalesce(uc.plan_inclusion, pl.plan_inclusion, mp.plan_inclusion) as plan_inclusion,
        {{ first_reported('responsible_unit', all_lists) }} as responsible_unit,
        {{ first_reported('responsible_person', all_lists) }} as responsible_person,
        {{ first_reported('contact_phone', all_lists) }} as contact_phone,
        coalesce(uc.construction_type, pl.construction_type) as construction_type,
        coalesce(uc.scope, pl.scope, mp.scope, ia.scope) as scope,
        uc.target_task,
        coalesce(uc.funding_sources, pl.funding_sources, mp.funding_sources) as funding_sources,
        mp.planning_stage,
        un.unstated_reason,
        coalesce(uc.status_note, sb.status_note, pl.status_note, mp.status_note, ia.status_note)
            as status_note,
        uc.remarks,

        ---------- investment (万元)
        {{ first_reported('total_investment_wan', all_lists) }} as total_investment_wan,
        {{ reported_on('total_investment_wan', all_lists) }} as total_investment_source_list,
        uc.annual_plan_wan,
        {{ first_reported('ytd_completed_wan', ['uc', 'un']) }} as ytd_completed_wan,
        {{ reported_on('ytd_completed_wan', ['uc', 'un']) }} as ytd_completed_source_list,
        uc.central_budget_wan,
        uc.special_bond_funding_wan,

        ---------- months
        {{ first_reported('planned_start_month', ['uc', 'sb', 'pl', 'mp', 'ia']) }}
            as planned_start_month,
        {{ reported_on('planned_start_month', ['uc', 'sb', 'pl', 'mp', 'ia']) }}
            as planned_start_source_list,
        {{ first_reported('actual_start_month', ['uc', 'un', 'sb']) }} as actual_start_month,
        {{ reported_on('actual_start_month', ['uc', 'un', 'sb']) }} as actual_start_source_list,
        uc.resume_month,
        {{ first_reported('planned_completion_month', ['uc', 'pl', 'mp']) }}
            as planned_completion_month,
        {{ reported_on('planned_completion_month', ['uc', 'pl', 'mp']) }}
            as planned_completion_source_list,
        uc.actual_completion_month,
        {{ first_reported('stats_entry_month', ['uc', 'un']) }} as stats_entry_month,
        {{ reported_on('stats_entry_month', ['uc', 'un']) }} as stats_entry_source_list,
        un.expected_stats_month,

        ---------- flags as reported
        coalesce(uc.in_stats, false) or coalesce(un.in_stats, false) as reported_in_stats,
        coalesce(uc.is_three_early, pl.is_three_early, false) as is_three_early,
        coalesce(uc.is_winter_continuous, false) as is_winter_continuous,

        ---------- special bond (万元)
        sb.bond_amount_wan,
        sb.bond_issued_wan,
        sb.expected_revenue_wan,
        sb.cost_wan,
        sb.reported_coverage_ratio,
        sb.bond_spent_wan,
        sb.bond_rate,
        sb.bond_term_years,

        ---------- 招商引资 (签约项目 list)
        ia.investor,
        ia.signed_on,
        ia.signed_amount_wan,
        ia.funds_in_place_wan,
        ia.landing_status,

        ---------- 前期手续 (明年拟开工 list)
        pl.approval_project,
        pl.approval_project_month,
        pl.approval_land,
        pl.approval_land_month,
        pl.approval_planning,
        pl.approval_planning_month,
        pl.approval_environment,
        pl.approval_environment_month,
        pl.approval_construction,
        pl.approval_construction_month,
        {%- for key, label in approvals() %}
        pl.approval_{{ key }}_applied_on,
        pl.approval_{{ key }}_done_on,
        pl.approval_{{ key }}_online,
        {%- endfor %}

        ---------- receipt
        project_months.source_received_at

    from project_months
    left join uc
        on
            project_months.project_key = uc.project_key
            and project_months.period_month = uc.period_month
    left join un
        on
            project_months.project_key = un.project_key
            and project_months.period_month = un.period_month
    left join sb
        on
            project_months.project_key = sb.project_key
            and project_months.period_month = sb.period_month
    left join pl
        on
            project_months.project_key = pl.project_key
            and project_months.period_month = pl.period_month
    left join mp
        on
            project_months.project_key = mp.project_key
            and project_months.period_month = mp.period_month
    left join ia
        on
            project_months.project_key = ia.project_key
            and project_months.period_month = ia.period_month

),

derived as (

    select
        *,
        cast(date_trunc('year', period_month) as date) as year_start_month,
        coalesce(total_investment_wan >= {{ var('big_project_threshold_wan') }}, false)
            as is_big_project,
        coalesce(list_contains(funding_sources, '中央预算内'), false)
        or coalesce(central_budget_wan > 0, false) as is_central_budget_funded,
        listed_special_bond
        or coalesce(list_contains(funding_sources, '专项债'), false)
        or coalesce(special_bond_funding_wan > 0, false) as is_special_bond_funded,
        coalesce(list_contains(funding_sources, 'PPP'), false) as is_ppp,
        -- Started as of the month's end: an actual start month at or before it. A 在建
        -- row without a start month still counts as started; a start month after the
        -- report month does not.
        coalesce(actual_start_month <= period_month, listed_under_construction) as is_started,
        reported_in_stats or coalesce(stats_entry_month <= period_month, false) as in_stats,
        -- 竣工 needs evidence (SPEC §3 funnel): an actual completion month by the report
        -- month, or a 状态说明 / 备注 saying it was completed.
        case
            when actual_completion_month <= period_month
                then '实际竣工时间' || strftime(actual_completion_month, '%Y年%-m月')
            when regexp_matches(coalesce(status_note, ''), {{ completion_words() }})
                then '状态说明：' || status_note
            when regexp_matches(coalesce(remarks, ''), {{ completion_words() }})
                then '备注：' || remarks
        end as completion_evidence,
        -- 序时进度: completion rate against the annual plan (在建 list, plan > 0).
        case
            when listed_under_construction and annual_plan_wan > 0
                then ytd_completed_wan / annual_plan_wan
        end as completion_rate
    from joined

),

continuing as (

    select
        *,
        -- 续建: continuing construction — 建设性质 续建, or started in an earlier year —
        -- unless the project is one of this year's planned new starts.
        listed_under_construction
        and not coalesce(year(planned_start_month) = year(period_month), false)
        and (
            coalesce(construction_type = '续建', false)
            or coalesce(actual_start_month < year_start_month, false)
        ) as is_continuing,
        (completion_rate - {{ elapsed_year_share('period_month') }}) * 100 as schedule_gap_pp
    from derived

),

final as (

    select
        continuing.*,
        files.original_path as source_file,
        -- 复工: a continuing project has resumed when it reports YTD investment > 0 or a
        -- 复工 month of this year at or before the report month.
        is_continuing
        and (
            coalesce(ytd_completed_wan > 0, false)
            or coalesce(resume_month between year_start_month and period_month, false)
        ) as is_resumed
    from continuing
    left join files on continuing.primary_submission_id = files.submission_id

)

select * from final
