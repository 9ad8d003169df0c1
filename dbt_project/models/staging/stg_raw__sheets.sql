-- Every sheet of every loaded file: which list it was read as, where its header sits and
-- which column holds each field, so that a failure found in SQL can name the cell.
with

source as (

    select * from {{ source('raw', 'sheet_manifest') }}

),

renamed as (

    select
        ---------- ids
        submission_id,
        sheet_name,
        list_key,

        ---------- outcome
        status,
        reason,

        ---------- layout
        header_rows,
        -- {field: {"column": "D", "header": "建设单位"}}
        field_columns

    from source

)

select * from renamed
