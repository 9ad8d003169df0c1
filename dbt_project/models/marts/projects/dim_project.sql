-- The project library (项目库, 二(八)): one row per project across all lists and months,
-- with its latest attributes (三级: library_level 省级/市级/县级; 三类: library_type
-- 谋划/在建/资金) and its lifecycle stage in the latest reporting month.
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

stages as (

    select * from {{ ref('int_project_stages_monthly') }}

),

latest as (

    select *
    from projects_monthly
    qualify row_number() over (partition by project_key order by period_month desc) = 1

),

history as (

    select
        project_key,
        min(period_month) as first_period_month,
        max(period_month) as last_period_month,
        count(*) as months_listed,
        bool_or(listed_under_construction) as ever_under_construction,
        bool_or(listed_special_bond) as ever_special_bond,
        bool_or(listed_major_planning) as ever_major_planning,
        bool_or(listed_planned_next_year) as ever_planned_next_year,
        bool_or(is_central_budget_funded) as ever_central_budget_funded,
        bool_or(is_special_bond_funded) as ever_special_bond_funded,
        bool_or(is_ppp) as ever_ppp
    from projects_monthly
    group by project_key

),

latest_stage as (

    select
        project_key,
        lifecycle_stage,
        period_month as stage_period_month
    from stages
    qualify row_number() over (partition by project_key order by period_month desc) = 1

),

final as (

    select
        ---------- ids
        latest.project_key,
        latest.project_code,
        latest.region_code,

        ---------- attributes (latest report)
        latest.project_name,
        latest.project_owner,
        latest.location,
        latest.sector,
        latest.construction_type,
        latest.responsible_unit,
        latest.responsible_person,
        coalesce(latest.library_level, '县级') as library_level,
        case
            when latest.is_started or latest.listed_under_construction or latest.listed_unstated
                then '在建'
            when latest.listed_special_bond or latest.is_central_budget_funded then '资金'
            else '谋划'
        end as library_type,
        latest_stage.lifecycle_stage,
        latest_stage.stage_period_month,
        latest.total_investment_wan,
        latest.planned_start_month,
        latest.actual_start_month,
        latest.planned_completion_month,

        ---------- flags
        latest.is_big_project as is_50m_plus,
        history.ever_central_budget_funded as is_central_budget,
        history.ever_special_bond_funded as is_special_bond,
        history.ever_ppp as is_ppp,
        latest.is_three_early,
        latest.is_winter_continuous,

        ---------- lists at the latest report
        latest.listed_under_construction,
        latest.listed_unstated,
        latest.listed_special_bond,
        latest.listed_planned_next_year,
        latest.listed_major_planning,

        ---------- history
        history.first_period_month,
        history.last_period_month,
        history.months_listed,
        latest.source_received_at

    from latest
    inner join history
        on latest.project_key = history.project_key
    left join latest_stage
        on latest.project_key = latest_stage.project_key

)

select * from final
