with

source as (

    select * from {{ source('raw', 'statistics') }}

),

renamed as (

    select
        ---------- ids
        submission_id || ':' || sheet_name || ':' || excel_row as source_row_id,
        submission_id,
        region_code,
        region as region_as_written,

        ---------- periods
        period_month,

        ---------- numerics (万元; rates and shares as fractions)
        fai_ytd_wan,
        fai_prev_ytd_wan,
        fai_growth as reported_fai_growth,
        private_ytd_wan,
        private_share as reported_private_share,

        ---------- lineage
        sheet_name,
        excel_row

    from source

)

select * from renamed
