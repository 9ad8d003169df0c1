-- 专项债券财务评价 (二(四)): each bond project's repayment schedule as of the last month its
-- list reported it, year by year over the term — interest yearly and the principal at
-- maturity (每年付息、到期还本; macros/special_bonds.sql), the rate and term as reported or
-- at the dbt vars' defaults — against the expected revenue spread evenly over the term (the
-- list gives one 预期收入 for the whole term): the 本息 of each year, its coverage, and the
-- coverage of the years so far, whose last year is the term's coverage.
--
-- The schedule starts in the year the list first showed the bond issued; before issuance,
-- in the year of the last report.
with

bonds as (

    select * from {{ ref('fct_special_bonds') }}

),

first_issued as (

    select
        project_key,
        min(period_month) as first_issued_month
    from bonds
    where bond_issued_wan > 0
    group by project_key

),

latest as (

    select * from bonds
    qualify row_number() over (partition by project_key order by period_month desc) = 1

),

terms as (

    select
        latest.*,
        first_issued.first_issued_month,
        year(coalesce(first_issued.first_issued_month, latest.period_month)) as first_year,
        cast(latest.bond_term_years_used as integer) as term_years
    from latest
    left join first_issued on latest.project_key = first_issued.project_key
    where latest.bond_principal_wan > 0 and latest.bond_term_years_used > 0

),

bond_years as (

    select unnest(range(1, max(term_years) + 1)) as bond_year
    from terms

),

years as (

    select
        terms.*,
        bond_years.bond_year
    from terms
    inner join bond_years on terms.term_years >= bond_years.bond_year

),

schedule as (

    select
        *,
        bond_principal_wan * bond_rate_used as interest_wan,
        case when bond_year = term_years then bond_principal_wan else 0 end as principal_wan,
        expected_revenue_wan / term_years as revenue_wan
    from years

),

yearly as (

    select
        ---------- ids
        project_key,
        bond_year,
        first_year + bond_year - 1 as calendar_year,
        region_code,
        project_code,

        ---------- the bond as last reported
        project_name,
        period_month as as_of_month,
        first_issued_month,
        bond_principal_wan,
        bond_rate_used,
        bond_rate is null as is_rate_default,
        term_years as bond_term_years_used,
        bond_term_years is null as is_term_default,

        ---------- the year (万元)
        interest_wan,
        principal_wan,
        interest_wan + principal_wan as debt_service_wan,
        revenue_wan,
        {{ safe_divide('revenue_wan', 'interest_wan + principal_wan') }} as coverage_ratio,

        ---------- the years so far
        sum(interest_wan + principal_wan) over (
            partition by project_key order by bond_year
        ) as cumulative_debt_service_wan,
        sum(revenue_wan) over (partition by project_key order by bond_year)
            as cumulative_revenue_wan

    from schedule

),

final as (

    select
        *,
        {{ safe_divide('cumulative_revenue_wan', 'cumulative_debt_service_wan') }}
            as cumulative_coverage_ratio
    from yearly

)

select * from final
