-- A failure means a row of a superseded submission (a county's earlier file for a month it
-- re-submitted) reached the project library: only the latest received submission per
-- submitter, period and list may count.
{{ config(meta={'dagster': {'ref': {'name': 'int_project_rows_identified'}}}) }}
select
    rows_identified.source_row_id,
    rows_identified.submission_id,
    rows_identified.list_key
from {{ ref('int_project_rows_identified') }} as rows_identified
inner join {{ ref('stg_raw__submission_lists') }} as submissions
    on
        rows_identified.submission_id = submissions.submission_id
        and rows_identified.list_key = submissions.list_key
where not submissions.is_effective
