-- Identity conflicts that are reported, never merged silently (issue 3 §3). One row per
-- conflict; the quality-gate issue turns them into warnings in fct_dq_failures.
--   one_code_several_names    one valid code reported under two or more names
--   one_name_several_codes    one name in one region reported with two or more codes
--   one_code_several_regions  one valid code reported by two or more submitters
--   duplicate_in_list         one project twice on one list of one submission
with

list_rows as (

    select * from {{ ref('int_project_rows_identified') }}

),

coded_rows as (

    select * from list_rows
    where identity_method = 'code'

),

one_code_several_names as (

    select
        'one_code_several_names' as conflict_type,
        project_code as conflict_subject,
        project_code,
        min(region_code) as region_code,
        {{ conflict_evidence() }}
    from coded_rows
    group by project_code
    having count(distinct project_name_key) > 1

),

one_name_several_codes as (

    select
        'one_name_several_codes' as conflict_type,
        region_code || ':' || project_name_key as conflict_subject,
        cast(null as varchar) as project_code,
        region_code,
        {{ conflict_evidence() }}
    from coded_rows
    where project_name_key is not null
    group by region_code, project_name_key
    having count(distinct project_code) > 1

),

one_code_several_regions as (

    select
        'one_code_several_regions' as conflict_type,
        project_code as conflict_subject,
        project_code,
        min(region_code) as region_code,
        {{ conflict_evidence() }}
    from coded_rows
    group by project_code
    having count(distinct region_code) > 1

),

duplicate_in_list as (

    select
        'duplicate_in_list' as conflict_type,
        project_key || '@' || submission_id || '/' || list_key as conflict_subject,
        min(resolved_project_code) as project_code,
        min(region_code) as region_code,
        {{ conflict_evidence('resolved_project_code') }}
    from list_rows
    group by project_key, submission_id, list_key
    having count(*) > 1

),

conflicts as (

    select * from one_code_several_names
    union all
    select * from one_name_several_codes
    union all
    select * from one_code_several_regions
    union all
    select * from duplicate_in_list

),

final as (

    select
        conflict_type || '|' || conflict_subject as conflict_key,
        *
    from conflicts

)

select * from final
