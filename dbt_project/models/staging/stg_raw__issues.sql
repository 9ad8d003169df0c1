with

source as (

    select * from {{ source('raw', 'issue_ledger') }}

),

renamed as (

    select
        {{ list_row_lineage('issue_ledger') }},

        ---------- project
        {{ list_row_project_identity() }},

        ---------- issue
        issue_type,
        issue_description,
        {{ normalise_project_name('issue_description') }} as issue_description_key,
        issue_department as department,
        issue_status as status,
        responsible_unit,
        responsible_person,

        ---------- dates
        issue_raised_on as opened_on,
        issue_deadline as deadline,
        issue_resolved_on as resolved_on,

        remarks

    from source

)

select * from renamed
