-- 全市走势 (三(三) 通报, 12-month trend): one row per month for the whole city, every figure
-- a ratio of sums over the regions (never a mean of their ratios). The statistics bureau's
-- 全市 row is not loaded (ingestion keeps only the regions' rows), so the city's FAI
-- growth is (Σ FAI_YTD(P) − Σ FAI_YTD(P−12)) / Σ FAI_YTD(P−12) over the regions that have
-- both figures; a region with only the bureau's 增速 is left out of it (fai_regions_count
-- says how many were counted).
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

summed as (

    select
        period_month,
        count(*) filter (where fai_ytd_wan is not null and fai_prev_ytd_wan is not null)
            as fai_regions_count,
        {{ sum_amount('fai_ytd_wan', 'fai_prev_ytd_wan is not null') }} as fai_ytd_wan,
        {{ sum_amount('fai_prev_ytd_wan', 'fai_ytd_wan is not null') }} as fai_prev_ytd_wan,
        cast(sum(under_construction_count) as bigint) as under_construction_count,
        cast(sum(new_start_count) as bigint) as new_start_count,
        {{ sum_amount('ytd_completed_wan') }} as ytd_completed_wan,
        {{ sum_amount('annual_plan_wan') }} as annual_plan_wan,
        cast(sum({{ started_or_resumed_count() }}) as bigint) as started_or_resumed_count,
        cast(sum({{ planned_or_continuing_count() }}) as bigint) as planned_or_continuing_count,
        count(*) filter (where has_submission) as submitted_regions_count
    from region_monthly
    group by period_month

),

final as (

    select
        period_month,
        {{ safe_divide('fai_ytd_wan - fai_prev_ytd_wan', 'fai_prev_ytd_wan') }} as fai_growth,
        fai_ytd_wan,
        fai_prev_ytd_wan,
        fai_regions_count,
        under_construction_count,
        new_start_count,
        ytd_completed_wan,
        annual_plan_wan,
        {{ safe_divide('ytd_completed_wan', 'annual_plan_wan') }} as completion_rate,
        (
            {{ safe_divide('ytd_completed_wan', 'annual_plan_wan') }}
            - {{ elapsed_year_share('period_month') }}
        ) * 100 as schedule_gap_pp,
        started_or_resumed_count,
        planned_or_continuing_count,
        {{ safe_divide('started_or_resumed_count', 'planned_or_continuing_count') }}
            as start_resume_rate,
        submitted_regions_count
    from summed

)

select * from final
