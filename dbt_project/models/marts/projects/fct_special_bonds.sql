-- 专项债券项目 (二(四)) month by month: bond amounts, 覆盖倍数 and the stress case
-- (expected revenue −10 %, cost +10 %), against the threshold var bond_coverage_threshold;
-- 财务评价 from the bond's amount, rate and term (macros/special_bonds.sql) and 支出进度.
-- 本息覆盖倍数 = 项目收益 / 融资本息: the county's reported ratio and the one its 预期收入 /
-- 成本 give are both kept; the rules use the lower while they disagree.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

bond_projects as (

    select * from {{ ref('int_projects_monthly') }}
    where listed_special_bond and {{ in_rebuild_window() }}

),

coverage as (

    select
        *,
        {{ bond_computed_coverage_ratio('expected_revenue_wan', 'cost_wan') }}
            as computed_coverage_ratio,
        {{ bond_coverage_ratio('expected_revenue_wan', 'cost_wan', 'reported_coverage_ratio') }}
            as coverage_ratio,
        {{ bond_stress_coverage_ratio(
            'expected_revenue_wan', 'cost_wan', 'reported_coverage_ratio'
        ) }} as stress_coverage_ratio,
        {{ bond_principal() }} as bond_principal_wan,
        {{ bond_rate_used() }} as bond_rate_used,
        {{ bond_term_used() }} as bond_term_years_used,
        {{ bond_spend_rate() }} as bond_spend_rate
    from bond_projects

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

        ---------- bond (万元)
        bond_amount_wan,
        bond_issued_wan,
        expected_revenue_wan,
        cost_wan,
        reported_coverage_ratio,
        computed_coverage_ratio,
        coalesce(
            abs(reported_coverage_ratio - computed_coverage_ratio)
            > {{ var('bond_coverage_tolerance') }},
            false
        ) as is_coverage_inconsistent,
        coverage_ratio,
        stress_coverage_ratio,
        coalesce(coverage_ratio < {{ var('bond_coverage_threshold') }}, false)
            as is_coverage_below_threshold,
        coalesce(stress_coverage_ratio < {{ var('bond_coverage_threshold') }}, false)
            as is_stress_coverage_below_threshold,

        ---------- 财务评价: the terms (NULL where the list left them empty, then the dbt
        ---------- vars' defaults used), the yearly interest and the term's 本息
        bond_rate,
        bond_term_years,
        bond_rate_used,
        bond_term_years_used,
        bond_principal_wan,
        bond_principal_wan * bond_rate_used as annual_interest_wan,
        bond_principal_wan * (1 + bond_rate_used * bond_term_years_used)
            as total_debt_service_wan,
        {{ safe_divide(
            'expected_revenue_wan',
            'bond_principal_wan * (1 + bond_rate_used * bond_term_years_used)'
        ) }} as evaluated_coverage_ratio,

        ---------- 支出进度
        bond_spent_wan,
        bond_spend_rate,
        case when bond_issued_wan > 0 then bond_issued_wan - bond_spent_wan end
            as bond_unspent_wan,

        ---------- start
        planned_start_month,
        actual_start_month,
        is_started,
        coalesce(bond_issued_wan > 0, false) and not is_started as is_issued_not_started

    from coverage

)

select * from final
