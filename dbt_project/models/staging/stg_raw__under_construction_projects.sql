with

source as (

    select * from {{ source('raw', 'under_construction') }}

),

renamed as (

    select
        {{ list_row_lineage('under_construction') }},

        ---------- project
        {{ list_row_project_identity() }},
        project_owner,
        location,
        sector,
        construction_type,
        scope,
        library_level,
        plan_inclusion,
        target_task,
        responsible_unit,
        responsible_person,
        contact_phone,
        funding_sources,

        ---------- numerics (万元)
        total_investment_wan,
        central_budget_wan,
        special_bond_funding_wan,
        annual_plan_wan,
        ytd_completed_wan,

        ---------- months
        planned_start as planned_start_month,
        actual_start as actual_start_month,
        resume_month,
        planned_completion as planned_completion_month,
        actual_completion as actual_completion_month,
        stats_entry_month,

        ---------- flags
        in_stats,
        is_three_early,
        is_winter_continuous,

        ---------- notes
        status_note,
        remarks

    from source

)

select * from renamed
