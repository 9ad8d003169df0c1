-- 全生命周期 (二(十)): projects and investment per lifecycle stage, per region and month.
-- Every region × month × stage has a row (zero when empty), so the funnel always shows
-- six steps, and the 待核实 row beside them; has_submission tells a real zero from a region
-- that sent nothing.
with

stages as (

    select * from {{ ref('int_project_stages_monthly') }}

),

region_months as (

    select * from {{ ref('int_region_months') }}

),

lifecycle_stages as (

    select * from {{ ref('lifecycle_stages') }}

),

per_stage as (

    select
        region_code,
        period_month,
        lifecycle_stage,
        count(*) as project_count,
        {{ sum_amount('total_investment_wan') }} as total_investment_wan,
        {{ sum_amount('ytd_completed_wan') }} as ytd_completed_wan
    from stages
    group by region_code, period_month, lifecycle_stage

),

final as (

    select
        region_months.region_code,
        region_months.period_month,
        lifecycle_stages.stage_order,
        lifecycle_stages.lifecycle_stage,
        region_months.has_submission,
        coalesce(per_stage.project_count, 0) as project_count,
        coalesce(per_stage.total_investment_wan, 0) as total_investment_wan,
        coalesce(per_stage.ytd_completed_wan, 0) as ytd_completed_wan
    from region_months
    cross join lifecycle_stages
    left join per_stage
        on
            region_months.region_code = per_stage.region_code
            and region_months.period_month = per_stage.period_month
            and lifecycle_stages.lifecycle_stage = per_stage.lifecycle_stage

)

select * from final
