-- The project centre's exemptions from the completeness rule of the publication gate
-- (raw/reference/exemptions.csv, checked by ingestion): a region — or 统计局, for the
-- bureau's file — need not have submitted for that month.
with

source as (

    select * from {{ source('raw', 'exemptions') }}

),

renamed as (

    select
        ---------- ids
        region_code,

        ---------- periods
        period_month,

        ---------- why
        reason

    from source

)

select * from renamed
