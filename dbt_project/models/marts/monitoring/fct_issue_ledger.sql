-- 问题台账 (三(四)): every issue as each month's ledger reports it, aged as of that month's
-- last day — never the day the pipeline runs, so a re-run gives the same numbers.
-- Escalation: an open issue past its 办结时限, or open more than issue_escalation_days
-- without one, goes to the 分管副市长 of its 责任部门 (department_leaders).
with

issues as (

    select * from {{ ref('int_issues_identified') }}

),

aged as (

    select
        *,
        {{ month_end('period_month') }} as as_of_date,
        -- Resolved as of the month's end: a 解决日期 on or before it, or 已办结 without a date.
        coalesce(resolved_on <= {{ month_end('period_month') }}, false)
        or (resolved_on is null and coalesce(status = '已办结', false)) as is_resolved
    from issues

),

measured as (

    select
        *,
        case
            when opened_on is null or opened_on > as_of_date then null
            when is_resolved and resolved_on is not null
                then date_diff('day', opened_on, resolved_on)
            when is_resolved then null
            else date_diff('day', opened_on, as_of_date)
        end as days_open,
        not is_resolved and coalesce(deadline < as_of_date, false) as is_overdue
    from aged

),

escalated as (

    select
        *,
        not is_resolved
        and (
            is_overdue
            or (
                deadline is null
                and coalesce(days_open > {{ var('issue_escalation_days') }}, false)
            )
        ) as is_escalated
    from measured

),

final as (

    select
        ---------- ids
        issue_key,
        period_month,
        region_code,
        project_key,
        project_code,

        ---------- issue
        project_name,
        issue_type,
        issue_description,
        department,
        status,

        ---------- dates
        opened_on,
        deadline,
        resolved_on,
        as_of_date,

        ---------- as of the month's last day
        not is_resolved as is_open,
        days_open,
        case when is_overdue then date_diff('day', deadline, as_of_date) end as days_overdue,
        is_overdue,
        is_escalated,
        case
            when is_escalated and is_overdue then '超过办结时限未办结'
            when is_escalated then '无办结时限且已办理超过{{ var("issue_escalation_days") }}天'
        end as escalation_reason,
        case when is_escalated then department_leader end as escalate_to,
        department_leader,

        ---------- lineage
        submission_id,
        sheet_name,
        excel_row,
        max(period_month) over (partition by issue_key) = period_month as is_latest_report

    from escalated

)

select * from final
