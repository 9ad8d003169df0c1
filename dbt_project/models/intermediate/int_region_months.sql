-- Every region × every reporting month, with what the region submitted for the month:
-- the grid on which fct_region_monthly and the rankings are built, so that a region that
-- did not submit still has a row (and its indicators are NULL, with the reason).
with

regions as (

    select * from {{ ref('int_regions_enriched') }}

),

months as (

    select * from {{ ref('int_report_months') }}

),

county_lists as (

    select
        region_code,
        period_month,
        true as has_submission,
        bool_or(list_key = 'under_construction') as has_under_construction_list,
        bool_or(list_key = 'planned_next_year') as has_planned_list,
        bool_or(list_key = 'special_bonds') as has_special_bond_list,
        bool_or(list_key = 'major_planning') as has_major_planning_list,
        bool_or(list_key = 'investment_attraction') as has_attraction_list,
        bool_or(list_key = 'issue_ledger') as has_issue_ledger
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and submission_kind = 'county_monthly'
    group by region_code, period_month

),

statistics as (

    select
        region_code,
        period_month
    from {{ ref('int_fai_statistics_effective') }}

),

final as (

    select
        regions.region_code,
        months.period_month,
        regions.region_name,
        regions.rank_group,
        months.month_end_date,
        months.year_start_month,
        months.month_of_year,
        months.elapsed_year_share,
        months.prior_year_month,
        coalesce(county_lists.has_submission, false) as has_submission,
        coalesce(county_lists.has_under_construction_list, false) as has_under_construction_list,
        coalesce(county_lists.has_planned_list, false) as has_planned_list,
        coalesce(county_lists.has_special_bond_list, false) as has_special_bond_list,
        coalesce(county_lists.has_major_planning_list, false) as has_major_planning_list,
        coalesce(county_lists.has_attraction_list, false) as has_attraction_list,
        coalesce(county_lists.has_issue_ledger, false) as has_issue_ledger,
        statistics.region_code is not null as has_statistics
    from regions
    cross join months
    left join county_lists
        on
            regions.region_code = county_lists.region_code
            and months.period_month = county_lists.period_month
    left join statistics
        on
            regions.region_code = statistics.region_code
            and months.period_month = statistics.period_month

)

select * from final
