-- 二(七): the projects that left every list without being started — one row per project,
-- in the month it left: the first month after its last listed month in which its region
-- sent the list the project was last on (a month the region did not send that list does
-- not count as leaving it). Its last row's 状态说明 (status_note) says why (终止, 暂缓,
-- 调出, 并入…); without one the project's whereabouts are unknown (去向不明) and the
-- county is asked (int_dq_failures_unioned, rule project_left_unexplained).
-- A project that was ever started (在建 / 已开工未入统, an actual start month reached) or
-- shows evidence of completion is not here: leaving the 在建 list is the funnel's 待核实
-- (int_project_stages_monthly). A project that comes back to a list later is not here
-- either: its last listed month moves.
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

region_months as (

    select * from {{ ref('int_region_months') }}

),

ever_started as (

    select project_key
    from projects_monthly
    group by project_key
    having
        bool_or(
            is_started
            or listed_under_construction
            or listed_unstated
            or completion_evidence is not null
        )

),

last_rows as (

    select projects_monthly.*
    from projects_monthly
    anti join ever_started
        on projects_monthly.project_key = ever_started.project_key
    qualify
        row_number() over (
            partition by projects_monthly.project_key
            order by projects_monthly.period_month desc
        ) = 1

),

left_in as (

    select
        last_rows.project_key,
        last_rows.region_code,
        last_rows.project_name,
        last_rows.total_investment_wan,
        last_rows.period_month as last_listed_month,
        last_rows.primary_list as last_list,
        last_rows.status_note,
        last_rows.source_file,
        last_rows.primary_submission_id as submission_id,
        last_rows.primary_sheet_name as sheet_name,
        last_rows.primary_excel_row as excel_row,
        region_months.period_month as exit_month
    from last_rows
    inner join region_months
        on
            last_rows.region_code = region_months.region_code
            and last_rows.period_month < region_months.period_month
    where
        case last_rows.primary_list
            when 'major_planning' then region_months.has_major_planning_list
            when 'investment_attraction' then region_months.has_attraction_list
            when 'planned_next_year' then region_months.has_planned_list
            when 'special_bonds' then region_months.has_special_bond_list
            else region_months.has_submission
        end
    qualify
        row_number() over (
            partition by last_rows.project_key order by region_months.period_month
        ) = 1

),

final as (

    select
        *,
        status_note is null as is_unexplained
    from left_in

)

select * from final
