-- A failure means fct_region_monthly's 在建 totals (project count, Σ YTD and Σ annual plan
-- behind completion_rate) differ from the sum of its projects in fct_project_monthly: the
-- region figures no longer add up from the project library.
{{ config(meta={'dagster': {'ref': {'name': 'fct_region_monthly'}}}) }}
with

from_projects as (

    select
        region_code,
        period_month,
        count(*) as under_construction_count,
        sum(ytd_completed_wan) filter (where annual_plan_wan > 0) as ytd_completed_wan,
        sum(annual_plan_wan) filter (where annual_plan_wan > 0) as annual_plan_wan
    from {{ ref('fct_project_monthly') }}
    where listed_under_construction
    group by region_code, period_month

)

select
    region_monthly.region_code,
    region_monthly.period_month,
    region_monthly.under_construction_count,
    from_projects.under_construction_count as projects_counted
from {{ ref('fct_region_monthly') }} as region_monthly
inner join from_projects
    on
        region_monthly.region_code = from_projects.region_code
        and region_monthly.period_month = from_projects.period_month
where
    region_monthly.under_construction_count is distinct from from_projects.under_construction_count
    or abs(coalesce(region_monthly.ytd_completed_wan, 0) - coalesce(from_projects.ytd_completed_wan, 0)) > 0.001
    or abs(coalesce(region_monthly.annual_plan_wan, 0) - coalesce(from_projects.annual_plan_wan, 0)) > 0.001
