with

source as (

    select * from {{ source('raw', 'investment_attraction') }}

),

renamed as (

    select
        {{ list_row_lineage('investment_attraction') }},

        ---------- project (a signed project often has no 项目代码 yet: region + name)
        {{ list_row_project_identity() }},
        investor,
        project_owner,
        location,
        sector,
        scope,
        library_level,
        responsible_unit,
        responsible_person,
        contact_phone,

        ---------- the agreement (万元)
        signed_on,
        signed_amount_wan,
        funds_in_place_wan,
        landing_status,
        -- The 签约金额 stands for the investment until the county states a 总投资.
        coalesce(total_investment_wan, signed_amount_wan) as total_investment_wan,

        ---------- months
        planned_start as planned_start_month,

        ---------- notes
        status_note,
        remarks

    from source

)

select * from renamed
