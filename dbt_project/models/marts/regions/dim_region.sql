with

regions as (

    select * from {{ ref('int_regions_enriched') }}

),

final as (

    select
        region_code,
        region_name,
        region_kind,
        rank_group,
        parent_code,
        contact_email,
        aliases,
        first_submission_month,
        last_submission_month,
        months_submitted
    from regions

)

select * from final
