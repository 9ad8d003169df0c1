-- Every file seen in raw/ with the month it is reported under: a monthly file's own
-- month, a weekly return's the month of its week's Thursday (the ISO rule, as the county
-- reports count it), so a week spanning two months is reported once.
with

files as (

    select * from {{ ref('stg_raw__files') }}

),

final as (

    select
        *,
        cast(coalesce(period_month, date_trunc('month', period_week + interval 3 day)) as date)
            as report_month
    from files

)

select * from final
