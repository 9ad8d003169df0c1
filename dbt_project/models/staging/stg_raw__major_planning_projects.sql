with

source as (

    select * from {{ source('raw', 'major_planning') }}

),

renamed as (

    select
        {{ list_row_lineage('major_planning') }},

        ---------- project (the list carries no 项目代码: identity is region + name)
        {{ list_row_project_identity(has_code=false) }},
        project_owner,
        location,
        sector,
        scope,
        library_level,
        plan_inclusion,
        planning_stage,
        responsible_unit,
        responsible_person,
        contact_phone,
        funding_sources,

        ---------- numerics (万元)
        total_investment_wan,

        ---------- months (建设起止年限)
        planned_start as planned_start_month,
        planned_completion as planned_completion_month,

        ---------- notes
        status_note,
        remarks

    from source

)

select * from renamed
