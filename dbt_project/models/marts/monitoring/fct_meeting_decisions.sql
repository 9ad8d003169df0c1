-- 三(四) the 协调推进会's decisions (会议纪要, raw/meetings/) tracked to closure like the
-- issues: each decision of the latest minutes received for its meeting, at the end of every
-- month from the meeting's month on — open or done by then, days open, overdue against its
-- 完成时限 — with the 分管副市长 its department answers to (department_leaders).
-- Done: by done_on (int_meeting_decisions), at or before the month's end.
with

decisions as (

    select * from {{ ref('int_meeting_decisions') }}

),

report_months as (

    select period_month from {{ ref('int_report_months') }}

),

-- Month ends from the first meeting's month to the later of the last reporting month and
-- the last meeting's month.
bounds as (

    select
        cast(date_trunc('month', min(decisions.meeting_day)) as date) as first_month,
        greatest(
            (select max(report_months.period_month) from report_months),
            cast(date_trunc('month', max(decisions.meeting_day)) as date)
        ) as last_month
    from decisions

),

months as (

    select
        cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date)
            as period_month
    from bounds

),

aged as (

    select
        months.period_month,
        {{ month_end('months.period_month') }} as month_end_date,
        decisions.* exclude (submission_id),
        coalesce(decisions.done_on > {{ month_end('months.period_month') }}, true) as is_open
    from decisions
    inner join months
        on months.period_month >= cast(date_trunc('month', decisions.meeting_day) as date)

),

final as (

    select
        *,
        is_open and coalesce(deadline < month_end_date, false) as is_overdue,
        month_end_date - meeting_day as days_since_meeting,
        case when is_open and deadline < month_end_date then month_end_date - deadline end
            as days_overdue
    from aged

)

select * from final
