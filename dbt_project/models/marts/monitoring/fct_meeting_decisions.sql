-- 三(四) the 协调推进会's decisions (会议纪要, raw/meetings/) tracked to closure like the
-- issues: each decision of the latest minutes received for its meeting, at the end of every
-- month from the meeting's month on — open or done by then, days open, overdue against its
-- 完成时限 — with the 分管副市长 its department answers to (department_leaders).
-- Done: an 办结日期 by the month's end, or a 落实情况 saying it was done (已办结, 已完成,
-- 已落实; not 未完成), from the day the minutes saying so were received.
with

decisions as (

    select * from {{ ref('stg_raw__meeting_decisions') }}
    where is_effective and decision is not null

),

files as (

    select
        submission_id,
        original_path
    from {{ ref('stg_raw__files') }}

),

leaders as (

    select * from {{ ref('stg_raw__department_leaders') }}

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

stated as (

    select
        decisions.*,
        coalesce(
            decisions.resolved_on,
            case
                when
                    regexp_matches(coalesce(decisions.decision_status, ''), '已(办结|完成|落实)')
                    and not regexp_matches(decisions.decision_status, '未(办结|完成|落实)')
                    then cast(decisions.received_at as date)
            end
        ) as done_on
    from decisions

),

aged as (

    select
        stated.source_row_id,
        months.period_month,
        {{ month_end('months.period_month') }} as month_end_date,
        stated.meeting_day,
        stated.seq,
        stated.decision,
        stated.project_name,
        stated.region,
        stated.owner_department,
        leaders.leader as department_leader,
        stated.responsible_person,
        stated.deadline,
        stated.decision_status,
        stated.done_on,
        files.original_path as source_file,
        stated.sheet_name,
        stated.excel_row
    from stated
    inner join months
        on months.period_month >= cast(date_trunc('month', stated.meeting_day) as date)
    left join leaders
        on stated.owner_department = leaders.department
    left join files
        on stated.submission_id = files.submission_id

),

final as (

    select
        *,
        coalesce(done_on > month_end_date, true) as is_open,
        coalesce(done_on > month_end_date, true) and coalesce(deadline < month_end_date, false)
            as is_overdue,
        month_end_date - meeting_day as days_since_meeting,
        case
            when coalesce(done_on > month_end_date, true) and deadline < month_end_date
                then month_end_date - deadline
        end as days_overdue
    from aged

)

select * from final
