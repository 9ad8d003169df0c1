with

source as (

    select * from {{ source('raw', 'planned_next_year') }}

),

renamed as (

    select
        {{ list_row_lineage('planned_next_year') }},

        ---------- project
        {{ list_row_project_identity() }},
        project_owner,
        location,
        sector,
        construction_type,
        scope,
        library_level,
        plan_inclusion,
        responsible_unit,
        responsible_person,
        contact_phone,
        funding_sources,

        ---------- numerics (万元)
        total_investment_wan,

        ---------- months
        planned_start as planned_start_month,
        planned_completion as planned_completion_month,

        ---------- 前期手续 (已办/在办/未办, and the month when written)
        approval_project,
        approval_project_month,
        approval_land,
        approval_land_month,
        approval_planning,
        approval_planning_month,
        approval_environment,
        approval_environment_month,
        approval_construction,
        approval_construction_month,

        ---------- 二(十三) each approval's 申请日期, 办结日期 and 在线办理
        {%- for key, label in approvals() %}
        approval_{{ key }}_applied_on,
        approval_{{ key }}_done_on,
        approval_{{ key }}_online,
        {%- endfor %}

        ---------- flags
        is_three_early,

        ---------- notes
        status_note,
        remarks

    from source

)

select * from renamed
