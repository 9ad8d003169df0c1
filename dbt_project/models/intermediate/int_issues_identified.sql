-- The 问题台账 rows that count (effective submissions), one per issue and month, with the
-- project they concern and the 分管副市长 of the 责任部门.
-- An issue is recognised from month to month by its submitter, project, type, the day it
-- was raised and its description; the same issue written twice in one ledger keeps its
-- first row.
with

issue_rows as (

    select * from {{ ref('stg_raw__issues') }}

),

effective_submissions as (

    select submission_id
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and list_key = 'issue_ledger'

),

project_rows as (

    select * from {{ ref('int_project_rows_identified') }}

),

leaders as (

    select * from {{ ref('stg_raw__department_leaders') }}

),

-- A name names one project when, in its region, all its rows carry one project_key.
keys_by_name as (

    select
        region_code,
        project_name_key,
        min(project_key) as project_key
    from project_rows
    where project_name_key is not null
    group by region_code, project_name_key
    having count(distinct project_key) = 1

),

effective_issues as (

    select
        issue_rows.*,
        case when issue_rows.is_valid_project_code then issue_rows.project_code end
            as valid_project_code
    from issue_rows
    inner join effective_submissions
        on issue_rows.submission_id = effective_submissions.submission_id

),

identified as (

    select
        md5(
            concat_ws(
                '|',
                effective_issues.region_code,
                coalesce(
                    effective_issues.valid_project_code, effective_issues.project_name_key, ''
                ),
                coalesce(effective_issues.issue_type, ''),
                coalesce(cast(effective_issues.opened_on as varchar), ''),
                coalesce(effective_issues.issue_description_key, '')
            )
        ) as issue_key,
        effective_issues.*,
        coalesce(
            effective_issues.valid_project_code,
            keys_by_name.project_key,
            effective_issues.region_code || ':' || effective_issues.project_name_key
        ) as project_key,
        leaders.leader as department_leader
    from effective_issues
    left join keys_by_name
        on
            effective_issues.region_code = keys_by_name.region_code
            and effective_issues.project_name_key = keys_by_name.project_name_key
    left join leaders
        on effective_issues.department = leaders.department

),

deduplicated as (

    select *
    from identified
    qualify
        row_number() over (
            partition by issue_key, period_month
            order by sheet_name, excel_row
        ) = 1

)

select * from deduplicated
