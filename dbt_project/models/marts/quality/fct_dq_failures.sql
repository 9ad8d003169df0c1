-- Every data-quality failure of the submissions in force, one row per failed rule × row
-- (× cell), with the project of the row when it was identified. The publication gate
-- (SPEC §4) counts the error-severity rows of a month; the county reports list them.
with

failures as (

    select * from {{ ref('int_dq_failures_unioned') }}

),

project_rows as (

    select
        source_row_id,
        project_key
    from {{ ref('int_project_rows_identified') }}

)

select
    failures.period_month,
    failures.region_code,
    failures.source_file,
    failures.sheet,
    failures.excel_row,
    failures.column_letter,
    failures.field,
    failures.header,
    failures.value,
    failures.rule,
    failures.severity,
    failures.hint,
    failures.list_key,
    failures.submission_id,
    project_rows.project_key,
    failures.failure_source
from failures
left join project_rows
    on
        project_rows.source_row_id
        = failures.submission_id || ':' || failures.sheet || ':' || failures.excel_row
