-- Failures of the expectation suites and cross-month checks, as the quality step wrote them.
with

source as (

    select * from {{ source('quality', 'dq_failures') }}

),

renamed as (

    select
        ---------- ids
        submission_id,
        list_key,
        region_code,

        ---------- periods
        period_month,

        ---------- place
        source_file,
        sheet,
        excel_row,
        column_letter,
        field,
        header,
        value,

        ---------- rule
        rule,
        severity,
        hint

    from source

)

select * from renamed
