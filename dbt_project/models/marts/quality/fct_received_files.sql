-- 收文台账: every file received in raw/, loaded, refused or superseded, with the month it
-- is reported under — what the county reports are written for (a submitter with nothing
-- wrong still gets its 无错误 report) and what the night's first step saw.
with

received as (

    select * from {{ ref('int_received_files') }}

),

final as (

    select
        ---------- ids
        submission_id,
        region_code,

        ---------- periods
        report_month,
        period_month,
        period_week,

        ---------- file
        submission_kind,
        file_name,
        original_path,
        received_at,
        submitted_by,

        ---------- outcome
        status,
        reason,
        is_effective

    from received

)

select * from final
