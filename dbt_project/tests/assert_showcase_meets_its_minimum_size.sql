-- A failure means a month's showcase (rpt_showcase_projects) has fewer than
-- showcase_min_size projects although enough eligible 在建 projects exist — at most
-- showcase_max_per_region from each region — to fill it (SPEC §3: "at least 5 when there are").
{{ config(meta={'dagster': {'ref': {'name': 'rpt_showcase_projects'}}}) }}
with

eligible_places as (

    select
        period_month,
        region_code,
        least(count(*), {{ var('showcase_max_per_region') }}) as places
    from {{ ref('fct_project_monthly') }}
    where
        listed_under_construction
        and completion_rate is not null
        and total_investment_wan is not null
        and not exists (
            select 1
            from {{ ref('fct_early_warnings') }} as warnings
            where
                warnings.project_key = fct_project_monthly.project_key
                and warnings.period_month = fct_project_monthly.period_month
                and warnings.level = '红'
        )
    group by period_month, region_code

),

available as (

    select
        period_month,
        least(sum(places), {{ var('showcase_min_size') }}) as required
    from eligible_places
    group by period_month

),

published as (

    select
        period_month,
        count(*) as published
    from {{ ref('rpt_showcase_projects') }}
    group by period_month

)

select
    available.period_month,
    available.required,
    coalesce(published.published, 0) as published
from available
left join published
    on available.period_month = published.period_month
where coalesce(published.published, 0) < available.required
