-- Every file seen in raw/, loaded or refused, with what it supersedes.
with

source as (

    select * from {{ source('raw', 'manifest') }}

),

renamed as (

    select
        ---------- ids
        submission_id,
        file_sha256,
        kind as submission_kind,
        region_code,

        ---------- periods
        period_month,
        period_week,
        meeting_day,

        ---------- file
        original_path,
        file_name,
        received_at,
        submitted_by,

        ---------- outcome
        status,
        reason,
        is_effective,
        superseded_by

    from source

)

select * from renamed
