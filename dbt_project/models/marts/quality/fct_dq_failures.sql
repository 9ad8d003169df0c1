-- Every data-quality failure of the submissions in force, one row per failed rule × row
-- (× cell), with the project of the row when it was identified and the rule's Chinese name
-- (seed dq_rules, the one list of every rule). The publication gate
-- (SPEC §4) counts the error-severity rows of a month; the county reports list them.
with

failures as (

    select * from {{ ref('int_dq_failures_unioned') }}

),

rules as (

    select
        rule,
        rule_name_zh
    from {{ ref('dq_rules') }}

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
    rules.rule_name_zh,
    failures.severity,
    failures.hint,
    failures.list_key,
    failures.submission_id,
    project_rows.project_key,
    failures.failure_source
from failures
left join rules
    on failures.rule = rules.rule
left join project_rows
    on
        project_rows.source_row_id
        = failures.submission_id || ':' || failures.sheet || ':' || failures.excel_row
