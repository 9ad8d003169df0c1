-- The indicators of SPEC §3 for every region and reporting month P (year Y). Each ratio is
-- NULL when its denominator is NULL or zero; the has_* columns and the numerators and
-- denominators kept beside each ratio say why (rpt_arena_monthly turns them into notes).
with

region_months as (

    select * from {{ ref('int_region_months') }}

),

statistics as (

    select * from {{ ref('int_fai_statistics_effective') }}

),

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

),

year_to_date as (

    select * from {{ ref('int_projects_year_to_date') }}

),

-- 在建 list of the month: big projects, 序时进度.
under_construction as (

    select
        region_code,
        period_month,
        count(*) as under_construction_count,
        count(*) filter (where is_big_project) as big_project_count,
        {{ sum_amount('ytd_completed_wan', 'is_big_project and in_stats') }}
            as big_project_ytd_completed_wan,
        {{ sum_amount('ytd_completed_wan', 'annual_plan_wan > 0') }} as ytd_completed_wan,
        {{ sum_amount('annual_plan_wan', 'annual_plan_wan > 0') }} as annual_plan_wan
    from projects_monthly
    where listed_under_construction
    group by region_code, period_month

),

-- Year-to-date population: this year's planned new starts and continuing projects.
starts as (

    select
        region_code,
        period_month,
        count(*) filter (where is_new_start) as new_start_count,
        count(*) filter (where is_planned_new_start) as planned_new_start_count,
        count(*) filter (where is_planned_new_start and is_started)
            as planned_new_started_count,
        count(*) filter (where is_continuing and not is_planned_new_start) as continuing_count,
        count(*) filter (where is_continuing and not is_planned_new_start and is_resumed)
            as continuing_resumed_count,
        count(*) filter (where is_planned_new_start and is_central_budget_funded)
            as central_budget_planned_count,
        count(*) filter (where is_planned_new_start and is_central_budget_funded and is_started)
            as central_budget_started_count,
        count(*) filter (where is_planned_new_start and was_listed_special_bond)
            as special_bond_planned_count,
        count(*) filter (where is_planned_new_start and was_listed_special_bond and is_started)
            as special_bond_started_count
    from year_to_date
    group by region_code, period_month

),

joined as (

    select
        ---------- ids
        region_months.region_code,
        region_months.period_month,
        region_months.region_name,
        region_months.rank_group,
        region_months.month_of_year,
        region_months.elapsed_year_share,

        ---------- what was submitted
        region_months.has_submission,
        region_months.has_under_construction_list,
        region_months.has_statistics,

        ---------- statistics (万元)
        statistics.fai_ytd_wan,
        coalesce(statistics.fai_prev_ytd_wan, prior_statistics.fai_ytd_wan) as fai_prev_ytd_wan,
        case
            when statistics.fai_ytd_wan is null then null
            when statistics.fai_prev_ytd_wan is not null then 'absolutes'
            when prior_statistics.fai_ytd_wan is not null then 'prior_year_file'
        end as fai_growth_basis_absolute,
        statistics.reported_fai_growth,
        statistics.private_ytd_wan,
        statistics.reported_private_share,

        ---------- 在建 list: counted only when the list was submitted
        case
            when region_months.has_under_construction_list
                then coalesce(under_construction.under_construction_count, 0)
        end as under_construction_count,
        case
            when region_months.has_under_construction_list
                then coalesce(under_construction.big_project_count, 0)
        end as big_project_count,
        case
            when prior_months.has_under_construction_list
                then coalesce(prior_under_construction.big_project_count, 0)
        end as big_project_count_prior_year,
        case
            when region_months.has_under_construction_list
                then coalesce(under_construction.big_project_ytd_completed_wan, 0)
        end as big_project_ytd_completed_wan,
        under_construction.ytd_completed_wan,
        under_construction.annual_plan_wan,

        ---------- year-to-date population: counted only when the region submitted
        {%- for column in [
            'new_start_count', 'planned_new_start_count', 'planned_new_started_count',
            'continuing_count', 'continuing_resumed_count', 'central_budget_planned_count',
            'central_budget_started_count', 'special_bond_planned_count',
            'special_bond_started_count',
        ] %}
        case when region_months.has_submission then coalesce(starts.{{ column }}, 0) end
            as {{ column }},
        {%- endfor %}

        region_months.prior_year_month

    from region_months
    left join region_months as prior_months
        on
            region_months.region_code = prior_months.region_code
            and region_months.prior_year_month = prior_months.period_month
    left join statistics
        on
            region_months.region_code = statistics.region_code
            and region_months.period_month = statistics.period_month
    left join statistics as prior_statistics
        on
            region_months.region_code = prior_statistics.region_code
            and region_months.prior_year_month = prior_statistics.period_month
    left join under_construction
        on
            region_months.region_code = under_construction.region_code
            and region_months.period_month = under_construction.period_month
    left join under_construction as prior_under_construction
        on
            region_months.region_code = prior_under_construction.region_code
            and region_months.prior_year_month = prior_under_construction.period_month
    left join starts
        on
            region_months.region_code = starts.region_code
            and region_months.period_month = starts.period_month

),

indicators as (

    select
        *,
        -- fai_growth = (FAI_YTD(P) − FAI_YTD(P−12)) / FAI_YTD(P−12), from the bureau's
        -- 上年同期 or else last year's file; the bureau's 增速 only when absolutes are withheld.
        case
            when fai_growth_basis_absolute is not null
                then {{ safe_divide('fai_ytd_wan - fai_prev_ytd_wan', 'fai_prev_ytd_wan') }}
            else reported_fai_growth
        end as fai_growth,
        case
            when fai_growth_basis_absolute is not null then fai_growth_basis_absolute
            when reported_fai_growth is not null then 'reported_rate'
        end as fai_growth_basis,
        coalesce(
            {{ safe_divide('private_ytd_wan', 'fai_ytd_wan') }}, reported_private_share
        ) as private_investment_share,
        {{ safe_divide('big_project_ytd_completed_wan', 'fai_ytd_wan') }}
            as big_project_investment_share,
        {{ safe_divide('big_project_count - big_project_count_prior_year',
                       'big_project_count_prior_year') }} as big_project_count_growth,
        {{ safe_divide(started_or_resumed_count(), planned_or_continuing_count()) }}
            as start_resume_rate,
        {{ safe_divide('central_budget_started_count', 'central_budget_planned_count') }}
            as central_budget_start_rate,
        {{ safe_divide('special_bond_started_count', 'special_bond_planned_count') }}
            as special_bond_start_rate,
        {{ safe_divide('ytd_completed_wan', 'annual_plan_wan') }} as completion_rate
    from joined

),

final as (

    select
        ---------- ids
        region_code,
        period_month,
        region_name,
        rank_group,

        ---------- SPEC §3 indicators
        fai_ytd_wan,
        fai_growth,
        private_investment_share,
        big_project_investment_share,
        big_project_count,
        big_project_count_growth,
        new_start_count,
        start_resume_rate,
        central_budget_start_rate,
        special_bond_start_rate,
        completion_rate,
        (completion_rate - elapsed_year_share) * 100 as schedule_gap_pp,

        ---------- how each was computed
        fai_prev_ytd_wan,
        fai_growth_basis,
        private_ytd_wan,
        big_project_ytd_completed_wan,
        big_project_count_prior_year,
        under_construction_count,
        ytd_completed_wan,
        annual_plan_wan,
        planned_new_start_count,
        planned_new_started_count,
        continuing_count,
        continuing_resumed_count,
        central_budget_planned_count,
        central_budget_started_count,
        special_bond_planned_count,
        special_bond_started_count,

        ---------- what was submitted
        has_submission,
        has_under_construction_list,
        has_statistics,
        prior_year_month

    from indicators

)

select * from final
