-- A failure means a region is missing from (or doubled in) a month's 擂台: every region of
-- dim_region must appear once per month and indicator, with a rank or with the reason it
-- has none.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_arena_monthly'}}}) }}
with

expected as (

    select
        regions.region_code,
        months.period_month
    from {{ ref('dim_region') }} as regions
    cross join (select distinct period_month from {{ ref('fct_region_monthly') }}) as months

),

listed as (

    select
        region_code,
        period_month,
        count(*) as indicator_rows,
        count(distinct indicator) as indicators
    from {{ ref('rpt_arena_monthly') }}
    group by region_code, period_month

)

select
    expected.region_code,
    expected.period_month,
    listed.indicator_rows
from expected
left join listed
    on
        expected.region_code = listed.region_code
        and expected.period_month = listed.period_month
where coalesce(listed.indicator_rows, 0) <> 6 or coalesce(listed.indicators, 0) <> 6
