-- Every loaded submission and the lists it carried, superseded ones included: the history
-- that a re-submission leaves behind stays queryable here.
with

source as (

    select * from {{ source('raw', 'submission_lists') }}

),

effective as (

    select * from {{ source('raw', 'effective_submission_lists') }}

),

renamed as (

    select
        ---------- ids
        source.submission_id,
        source.list_key,
        source.kind as submission_kind,
        source.region_code,

        ---------- periods
        source.period_month,
        source.period_week,

        ---------- receipt
        source.received_at,
        source.file_name,
        effective.submission_id is not null as is_effective

    from source
    left join effective
        on
            source.submission_id = effective.submission_id
            and source.list_key = effective.list_key

)

select * from renamed
