-- 预警 (二(一) 苗头性、倾向性问题): one row per project, month and rule that fires, at
-- the worse of its two levels (红 over 黄). The rules are SPEC §3's table; every month
-- count is taken at the end of the report month P. Each rule carries its Chinese name from
-- the warning_rules seed.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}
    -- a month's rules look up to three months back (bond_funds_idle: bond_idle_months)
    where {{ in_rebuild_window(reach=[3, var('bond_idle_months') | int] | max) }}

),

warning_rules as (

    select * from {{ ref('warning_rules') }}

),

-- start_overdue: not started, planned start 1–2 months before P (黄), 3 or more (红).
-- The 重大谋划 list's 建设起止年限 is an estimate for a project not yet decided, so only
-- the lists that commit to a start (明年拟开工, 专项债, 在建) are held to it.
start_overdue as (

    select
        period_month,
        project_key,
        region_code,
        'start_overdue' as rule,
        case
            when {{ months_between('planned_start_month', 'period_month') }} >= 3 then '红'
            else '黄'
        end as level,
        '计划' || strftime(planned_start_month, '%Y年%-m月') || '开工，至报告月末已逾期'
        || {{ months_between('planned_start_month', 'period_month') }} || '个月仍未开工'
            as detail
    from projects_monthly
    where
        not is_started
        and (listed_planned_next_year or listed_special_bond or listed_under_construction)
        and {{ months_between('planned_start_month', 'period_month') }} >= 1

),

-- progress_lag: schedule gap from −10 to −30 pp (黄), below −30 pp (红).
progress_lag as (

    select
        period_month,
        project_key,
        region_code,
        'progress_lag' as rule,
        case when schedule_gap_pp < {{ var('progress_lag_red_pp') }} then '红' else '黄' end
            as level,
        '累计完成投资占年度计划' || round(completion_rate * 100, 1) || '%，落后序时进度'
        || round(-schedule_gap_pp, 1) || '个百分点' as detail
    from projects_monthly
    where
        listed_under_construction
        and schedule_gap_pp <= {{ var('progress_lag_yellow_pp') }}

),

-- stats_entry_lag: started, not 入统, actual start 2 months before P (黄), 3 or more (红).
stats_entry_lag as (

    select
        period_month,
        project_key,
        region_code,
        'stats_entry_lag' as rule,
        case
            when {{ months_between('actual_start_month', 'period_month') }} >= 3 then '红'
            else '黄'
        end as level,
        strftime(actual_start_month, '%Y年%-m月') || '开工，已'
        || {{ months_between('actual_start_month', 'period_month') }} || '个月仍未入统'
            as detail
    from projects_monthly
    where
        is_started
        and not in_stats
        and {{ months_between('actual_start_month', 'period_month') }} >= 2

),

-- stalled: on the 在建 list with YTD(P) = YTD(P−1) = YTD(P−2) within one year (黄),
-- and = YTD(P−3) as well (红). YTD restarts in January, so the months compared are all
-- in P's year.
stalled_inputs as (

    select
        current_month.period_month,
        current_month.project_key,
        current_month.region_code,
        current_month.ytd_completed_wan,
        one_back.ytd_completed_wan as ytd_completed_wan_1,
        two_back.ytd_completed_wan as ytd_completed_wan_2,
        three_back.ytd_completed_wan as ytd_completed_wan_3,
        month(current_month.period_month) as month_of_year
    from projects_monthly as current_month
    left join projects_monthly as one_back
        on
            current_month.project_key = one_back.project_key
            and current_month.period_month - interval 1 month = one_back.period_month
            and one_back.listed_under_construction
    left join projects_monthly as two_back
        on
            current_month.project_key = two_back.project_key
            and current_month.period_month - interval 2 month = two_back.period_month
            and two_back.listed_under_construction
    left join projects_monthly as three_back
        on
            current_month.project_key = three_back.project_key
            and current_month.period_month - interval 3 month = three_back.period_month
            and three_back.listed_under_construction
    where current_month.listed_under_construction

),

stalled as (

    select
        period_month,
        project_key,
        region_code,
        'stalled' as rule,
        case
            when month_of_year >= 4 and ytd_completed_wan = ytd_completed_wan_3 then '红'
            else '黄'
        end as level,
        '本年累计完成投资' || {{ amount_text('ytd_completed_wan') }} || '万元，已连续'
        || case
            when month_of_year >= 4 and ytd_completed_wan = ytd_completed_wan_3 then '4'
            else '3'
        end || '个月没有增长' as detail
    from stalled_inputs
    where
        month_of_year >= 3
        and ytd_completed_wan = ytd_completed_wan_1
        and ytd_completed_wan = ytd_completed_wan_2
        {%- if var('stalled_requires_investment') %}
        and ytd_completed_wan > 0
        {%- endif %}

),

bonds as (

    select
        *,
        {{ bond_coverage_ratio('expected_revenue_wan', 'cost_wan', 'reported_coverage_ratio') }}
            as coverage_ratio,
        {{ bond_stress_coverage_ratio(
            'expected_revenue_wan', 'cost_wan', 'reported_coverage_ratio'
        ) }} as stress_coverage_ratio
    from projects_monthly
    where listed_special_bond

),

-- bond_not_started: bond issued > 0 and the project not started (红 only).
bond_not_started as (

    select
        period_month,
        project_key,
        region_code,
        'bond_not_started' as rule,
        '红' as level,
        '专项债券已发行' || {{ amount_text('bond_issued_wan') }} || '万元，项目尚未开工' as detail
    from bonds
    where bond_issued_wan > 0 and not is_started

),

-- bond_coverage: stress coverage < 1.1 (黄), coverage < 1.1 (红).
bond_coverage as (

    select
        period_month,
        project_key,
        region_code,
        'bond_coverage' as rule,
        case when coverage_ratio < {{ var('bond_coverage_threshold') }} then '红' else '黄' end
            as level,
        '本息覆盖倍数' || round(coverage_ratio, 2) || '，压力测试（收入−10%、成本+10%）下'
        || round(stress_coverage_ratio, 2) || '，低于' || {{ var('bond_coverage_threshold') }}
            as detail
    from bonds
    where stress_coverage_ratio < {{ var('bond_coverage_threshold') }}

),

-- bond_funds_idle (支出进度): the list showed the bond issued bond_idle_months months
-- before P already, and more than bond_unspent_share_max of the issued funds is still
-- unspent in P (黄); nothing spent at all (红). Only where 已支出金额 is reported.
bond_funds_idle as (

    select
        bonds.period_month,
        bonds.project_key,
        bonds.region_code,
        'bond_funds_idle' as rule,
        case when bonds.bond_spent_wan = 0 then '红' else '黄' end as level,
        '专项债券已发行' || {{ amount_text('bonds.bond_issued_wan') }} || '万元，已支出'
        || {{ amount_text('bonds.bond_spent_wan') }} || '万元（支出进度'
        || round(bonds.bond_spent_wan / bonds.bond_issued_wan * 100, 1)
        || '%），发行' || {{ var('bond_idle_months') }} || '个月以上' as detail
    from bonds
    inner join bonds as earlier
        on
            bonds.project_key = earlier.project_key
            and bonds.period_month
            = earlier.period_month + interval {{ var('bond_idle_months') }} month
    where
        earlier.bond_issued_wan > 0
        and bonds.bond_issued_wan > 0
        and bonds.bond_spent_wan is not null
        and bonds.bond_issued_wan - bonds.bond_spent_wan
        > bonds.bond_issued_wan * {{ var('bond_unspent_share_max') }}

),

-- approvals_behind: planned start within 3 months (黄) or 1 month (红) of P, with
-- 前期手续 still missing.
approvals_missing as (

    select
        *,
        {{ months_between('period_month', 'planned_start_month') }} as months_to_start,
        {{ missing_approvals() }} as missing_approvals
    from projects_monthly
    where listed_planned_next_year and not is_started

),

approvals_behind as (

    select
        period_month,
        project_key,
        region_code,
        'approvals_behind' as rule,
        case when months_to_start <= 1 then '红' else '黄' end as level,
        '计划' || strftime(planned_start_month, '%Y年%-m月') || '开工（' || months_to_start
        || '个月后），尚缺' || missing_approvals as detail
    from approvals_missing
    where months_to_start between 0 and 3 and missing_approvals <> ''

),

warnings as (

    select * from start_overdue
    union all
    select * from progress_lag
    union all
    select * from stats_entry_lag
    union all
    select * from stalled
    union all
    select * from bond_not_started
    union all
    select * from bond_coverage
    union all
    select * from bond_funds_idle
    union all
    select * from approvals_behind

),

final as (

    select
        warnings.period_month,
        warnings.project_key,
        warnings.region_code,
        warnings.rule,
        warning_rules.rule_name_zh,
        warnings.level,
        warnings.detail,
        projects_monthly.project_name,
        projects_monthly.responsible_person
    from warnings
    inner join projects_monthly
        on
            warnings.project_key = projects_monthly.project_key
            and warnings.period_month = projects_monthly.period_month
    left join warning_rules on warnings.rule = warning_rules.rule

)

select * from final
where {{ in_rebuild_window() }}
