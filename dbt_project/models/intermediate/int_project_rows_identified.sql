-- project_key for every effective list row (issue 3 §3):
--   1. a valid national 项目代码 is the key;
--   2. a row without one takes the code that the same region reports under the same
--      normalised name — when exactly one such code exists;
--   3. otherwise the key is region_code:normalised name.
-- A name that carries two codes in one region keeps its name key (rule 2 does not guess);
-- int_project_identity_conflicts lists that case and the others. Rows with neither a valid
-- code nor a name cannot be told apart and are left out (a missing 项目名称 is an error
-- the quality gate reports).
with

list_rows as (

    select * from {{ ref('int_project_list_rows_unioned') }}

),

codes_by_name as (

    select
        region_code,
        project_name_key,
        count(distinct project_code) as code_count,
        min(project_code) as only_code
    from list_rows
    where is_valid_project_code and project_name_key is not null
    group by region_code, project_name_key

),

identified as (

    select
        list_rows.*,
        case
            when list_rows.is_valid_project_code then list_rows.project_code
            when codes_by_name.code_count = 1 then codes_by_name.only_code
            when list_rows.project_name_key is not null
                then list_rows.region_code || ':' || list_rows.project_name_key
        end as project_key,
        case
            when list_rows.is_valid_project_code then 'code'
            when codes_by_name.code_count = 1 then 'name_matched_code'
            when list_rows.project_name_key is not null then 'region_name'
        end as identity_method
    from list_rows
    left join codes_by_name
        on
            list_rows.region_code = codes_by_name.region_code
            and list_rows.project_name_key = codes_by_name.project_name_key

),

final as (

    select
        *,
        case
            when identity_method in ('code', 'name_matched_code') then project_key
        end as resolved_project_code
    from identified
    where project_key is not null

)

select * from final
