-- 通报 升级督办问题 (三(四)): the issues of each month's 问题台账 escalated to the 分管副市长
-- of their 责任部门 — open past the 办结时限, or open too long without one — as of the
-- month's last day.
with

issues as (

    select * from {{ ref('fct_issue_ledger') }}
    where is_escalated

),

regions as (

    select * from {{ ref('dim_region') }}

),

final as (

    select
        issues.issue_key,
        issues.period_month,
        regions.rank_group,
        issues.region_code,
        regions.region_name,
        issues.project_name,
        issues.issue_type,
        issues.issue_description,
        issues.department,
        issues.escalate_to,
        issues.opened_on,
        issues.deadline,
        issues.days_open,
        issues.days_overdue,
        issues.is_overdue,
        issues.escalation_reason,
        issues.status
    from issues
    left join regions on issues.region_code = regions.region_code

)

select * from final
