-- The rows of the six project lists that count: only those of the effective (latest
-- received) submission per submitter, period and list. Superseded rows stay in staging.
with

effective_submissions as (

    select
        submission_id,
        list_key,
        received_at
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective

),

list_rows as (

    select * from {{ ref('stg_raw__under_construction_projects') }}
    union all by name
    select * from {{ ref('stg_raw__unstated_projects') }}
    union all by name
    select * from {{ ref('stg_raw__special_bond_projects') }}
    union all by name
    select * from {{ ref('stg_raw__planned_projects') }}
    union all by name
    select * from {{ ref('stg_raw__major_planning_projects') }}
    union all by name
    select * from {{ ref('stg_raw__attraction_projects') }}

),

effective_rows as (

    select
        list_rows.*,
        effective_submissions.received_at
    from list_rows
    inner join effective_submissions
        on
            list_rows.submission_id = effective_submissions.submission_id
            and list_rows.list_key = effective_submissions.list_key

)

select * from effective_rows
