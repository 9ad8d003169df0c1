-- 审批时效 (二(十三)): each 前期手续 of each project on the 明年拟开工 list, as its lists
-- last stated it — the state, 申请日期, 办结日期, the days the approval took, and whether it
-- was handled online (在线办理). Each date is the latest the lists reported, so a county
-- that corrects a date corrects it here.
with

planned as (

    select * from {{ ref('int_projects_monthly') }}
    where listed_planned_next_year

),

steps as (

    {%- for key, label in approvals() %}
    select
        project_key,
        period_month,
        region_code,
        project_name,
        '{{ key }}' as approval,
        '{{ label }}' as approval_name,
        approval_{{ key }} as state,
        approval_{{ key }}_applied_on as applied_on,
        approval_{{ key }}_done_on as done_on,
        approval_{{ key }}_online as is_online
    from planned
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

),

latest as (

    select
        project_key,
        approval,
        any_value(approval_name) as approval_name,
        arg_max(region_code, period_month) as region_code,
        arg_max(project_name, period_month) as project_name,
        max(period_month) as last_reported_month,
        arg_max(state, period_month) as state,
        arg_max(applied_on, period_month) filter (where applied_on is not null) as applied_on,
        arg_max(done_on, period_month) filter (where done_on is not null) as done_on,
        arg_max(is_online, period_month) filter (where is_online is not null) as is_online
    from steps
    group by project_key, approval

),

final as (

    select
        project_key,
        approval,
        approval_name,
        region_code,
        project_name,
        last_reported_month,
        state,
        applied_on,
        done_on,
        cast(done_on - applied_on as integer) as days_taken,
        is_online
    from latest

)

select * from final
