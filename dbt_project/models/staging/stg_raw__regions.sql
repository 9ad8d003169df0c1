with

source as (

    select * from {{ source('raw', 'regions') }}

),

renamed as (

    select
        ---------- ids
        region_code,
        parent_code,

        ---------- text
        region_name,
        aliases,
        region_kind,
        rank_group,
        nullif(trim(contact_email), '') as contact_email

    from source

)

select * from renamed
