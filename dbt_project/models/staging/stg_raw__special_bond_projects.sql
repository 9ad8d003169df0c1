with

source as (

    select * from {{ source('raw', 'special_bonds') }}

),

renamed as (

    select
        {{ list_row_lineage('special_bonds') }},

        ---------- project
        {{ list_row_project_identity() }},
        project_owner,
        location,
        sector,
        library_level,
        responsible_unit,
        responsible_person,
        contact_phone,

        ---------- numerics (万元)
        total_investment_wan,
        bond_amount_wan,
        bond_issued_wan,
        expected_revenue_wan,
        cost_wan,
        coverage_ratio as reported_coverage_ratio,
        bond_spent_wan,

        ---------- terms: a rate written without % under a header that does not say % (3.2)
        ---------- is a percentage still; no bond pays over 100 %
        case when bond_rate > 1 then bond_rate / 100 else bond_rate end as bond_rate,
        bond_term_years,

        ---------- months
        planned_start as planned_start_month,
        actual_start as actual_start_month,

        ---------- notes
        status_note,
        remarks

    from source

)

select * from renamed
