-- Cells that could not be read, one row per cell; a row with several unreadable cells
-- appears once per cell. Every loaded submission, superseded ones included. Most rows
-- loaded with the field empty (row_loaded); the severity is the contract's for the field.
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
        reason,
        -- quarantined before cells were quarantined one by one: the whole row, an error
        coalesce(row_loaded, false) as row_loaded,
        coalesce(severity, 'error') as severity

    from source

)

select * from renamed
