-- The decisions of each meeting as its latest received minutes state them (raw/meetings/),
-- with the file they came from, the 分管副市长 of the department that owns them
-- (department_leaders), and the day each was done: its 办结日期, or — a 落实情况 of
-- 已办结, 已完成 or 已落实 (not 未完成) without a date — the day those minutes were received.
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

final as (

    select
        decisions.source_row_id,
        decisions.submission_id,
        decisions.meeting_day,
        decisions.seq,
        decisions.decision,
        decisions.project_name,
        decisions.region,
        decisions.owner_department,
        leaders.leader as department_leader,
        decisions.responsible_person,
        decisions.deadline,
        decisions.decision_status,
        coalesce(
            decisions.resolved_on,
            case
                when
                    regexp_matches(coalesce(decisions.decision_status, ''), '已(办结|完成|落实)')
                    and not regexp_matches(decisions.decision_status, '未(办结|完成|落实)')
                    then cast(decisions.received_at as date)
            end
        ) as done_on,
        files.original_path as source_file,
        decisions.sheet_name,
        decisions.excel_row
    from decisions
    left join leaders
        on decisions.owner_department = leaders.department
    left join files
        on decisions.submission_id = files.submission_id

)

select * from final
