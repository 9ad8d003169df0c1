-- 包保责任人 (三(一)): the 责任人 of the month's projects as people — a cell may hold several
-- (于东、郭秀振; 于东，郭秀振; 于东/郭秀振; a title in brackets is dropped) — with each
-- person's projects, their investment, the month's warnings on them and their issues still
-- open and overdue. A person is a name within a region: the same name in two regions is
-- two people.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

projects_monthly as (

    select * from {{ ref('fct_project_monthly') }}
    where responsible_person is not null and {{ in_rebuild_window() }}

),

warnings as (

    select * from {{ ref('fct_early_warnings') }}
    where {{ in_rebuild_window() }}

),

issues as (

    select * from {{ ref('fct_issue_ledger') }}
    where is_open and {{ in_rebuild_window() }}

),

people as (

    select distinct
        projects_monthly.project_key,
        projects_monthly.period_month,
        projects_monthly.region_code,
        projects_monthly.project_name,
        projects_monthly.total_investment_wan,
        trim(person.name) as person_name
    from projects_monthly
    cross join
        unnest(
            regexp_split_to_array(
                regexp_replace(projects_monthly.responsible_person, '[（(][^）)]*[）)]', '', 'g'),
                '[、，,；;/／\s]+'
            )
        ) as person (name)
    where trim(person.name) <> ''

),

project_warnings as (

    select
        project_key,
        period_month,
        count(*) filter (where level = '红') as red_warning_count,
        count(*) filter (where level = '黄') as yellow_warning_count
    from warnings
    group by project_key, period_month

),

project_issues as (

    select
        project_key,
        period_month,
        count(*) as open_issue_count,
        count(*) filter (where is_overdue) as overdue_issue_count
    from issues
    where project_key is not null
    group by project_key, period_month

),

final as (

    select
        people.period_month,
        people.region_code,
        people.person_name,
        count(*) as project_count,
        {{ sum_amount('people.total_investment_wan') }} as total_investment_wan,
        cast(coalesce(sum(project_warnings.red_warning_count), 0) as bigint)
            as red_warning_count,
        cast(coalesce(sum(project_warnings.yellow_warning_count), 0) as bigint)
            as yellow_warning_count,
        cast(coalesce(sum(project_issues.open_issue_count), 0) as bigint) as open_issue_count,
        cast(coalesce(sum(project_issues.overdue_issue_count), 0) as bigint)
            as overdue_issue_count,
        string_agg(people.project_name, '、' order by people.project_name) as project_names
    from people
    left join project_warnings
        on
            people.project_key = project_warnings.project_key
            and people.period_month = project_warnings.period_month
    left join project_issues
        on
            people.project_key = project_issues.project_key
            and people.period_month = project_issues.period_month
    group by people.period_month, people.region_code, people.person_name

)

select * from final
