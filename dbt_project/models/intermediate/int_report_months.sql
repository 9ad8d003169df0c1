-- The reporting months the warehouse covers: every month from the first to the last one
-- with an effective monthly submission (county workbook or statistics), gaps included,
-- so that "P−12" and "P−1" are always rows of this spine.
with

submissions as (

    select period_month
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and period_month is not null

),

bounds as (

    select
        min(period_month) as first_month,
        max(period_month) as last_month
    from submissions

),

spine as (

    select
        cast(
            unnest(generate_series(first_month, last_month, interval 1 month)) as date
        ) as period_month
    from bounds

),

final as (

    select
        period_month,
        {{ month_end('period_month') }} as month_end_date,
        cast(date_trunc('year', period_month) as date) as year_start_month,
        year(period_month) as period_year,
        month(period_month) as month_of_year,
        {{ elapsed_year_share('period_month') }} as elapsed_year_share,
        cast(period_month - interval 12 month as date) as prior_year_month
    from spine

)

select * from final
