-- Cells that could not be read, one row per cell; a row with several unreadable cells
-- appears once per cell. Every loaded submission, superseded ones included.
with

source as (

    select * from {{ source('raw', 'quarantine') }}

),

renamed as (

    select
        ---------- ids
        submission_id,
        list_key,
        region_code,

        ---------- periods
        period_month,
        period_week,

        ---------- place
        source_file,
        sheet_name,
        excel_row,
        column_letter,
        field,
        header,
        value,

        ---------- why
        reason

    from source

)

select * from renamed
