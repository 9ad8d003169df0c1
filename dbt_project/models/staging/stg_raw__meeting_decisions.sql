-- The decisions of the 协调推进会 as their minutes list them (raw/meetings/), every loaded
-- version; is_effective marks the rows of the latest received minutes of each meeting.
with

source as (

    select * from {{ source('raw', 'meeting_decisions') }}

),

submissions as (

    select * from {{ ref('stg_raw__submission_lists') }}
    where list_key = 'meeting_decisions'

),

renamed as (

    select
        ---------- ids
        source.submission_id || ':' || source.sheet_name || ':' || source.excel_row
            as source_row_id,
        source.submission_id,
        source.meeting_day,

        ---------- the decision
        source.seq,
        source.decision,
        source.project_name,
        source.region,
        trim(source.owner_department) as owner_department,
        source.responsible_person,
        source.deadline,
        source.decision_status,
        source.resolved_on,
        source.remarks,

        ---------- lineage
        source.sheet_name,
        source.excel_row,
        submissions.received_at,
        coalesce(submissions.is_effective, false) as is_effective

    from source
    left join submissions
        on source.submission_id = submissions.submission_id

)

select * from renamed
