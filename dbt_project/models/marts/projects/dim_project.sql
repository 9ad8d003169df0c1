-- The project library (项目库, 二(八)): one row per project across all lists and months,
-- with its latest attributes (三级: library_level 省级/市级/县级; 三类: library_type
-- 谋划/在建/资金) and its lifecycle stage in the latest reporting month: the last month
-- of int_project_attributes_monthly.
with

attributes_monthly as (

    select * from {{ ref('int_project_attributes_monthly') }}

),

latest as (

    select *
    from attributes_monthly
    qualify row_number() over (partition by project_key order by period_month desc) = 1

),

final as (

    select
        ---------- ids
        project_key,
        project_code,
        region_code,

        ---------- attributes (latest report)
        project_name,
        project_owner,
        location,
        sector,
        construction_type,
        responsible_unit,
        responsible_person,
        library_level,
        library_type,
        lifecycle_stage,
        period_month as stage_period_month,
        total_investment_wan,
        planned_start_month,
        actual_start_month,
        planned_completion_month,

        ---------- flags
        is_50m_plus,
        is_central_budget,
        is_special_bond,
        is_ppp,
        is_three_early,
        is_winter_continuous,

        ---------- lists at the latest report
        listed_under_construction,
        listed_unstated,
        listed_special_bond,
        listed_planned_next_year,
        listed_major_planning,
        listed_investment_attraction,

        ---------- history
        first_period_month,
        last_period_month,
        months_listed,
        source_received_at

    from latest

)

select * from final
