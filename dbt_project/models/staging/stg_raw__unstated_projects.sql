with

source as (

    select * from {{ source('raw', 'unstated') }}

),

renamed as (

    select
        {{ list_row_lineage('unstated') }},

        ---------- project
        {{ list_row_project_identity() }},
        project_owner,
        location,
        sector,
        library_level,
        responsible_unit,
        responsible_person,
        contact_phone,
        unstated_reason,

        ---------- numerics (万元)
        total_investment_wan,
        ytd_completed_wan,

        ---------- months
        actual_start as actual_start_month,
        expected_stats_month,
        stats_entry_month,

        ---------- flags
        in_stats,

        remarks

    from source

)

select * from renamed
