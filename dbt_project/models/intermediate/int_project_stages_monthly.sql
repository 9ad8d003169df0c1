-- The lifecycle stage (二(十): 招商落地→前期审批→开工建设→入库纳统→竣工验收→投产达效) of
-- every project in every month, as of the end of that month. A project on a list is
-- placed by what the list says. 竣工 needs evidence: an actual completion month, or a
-- 状态说明 / 备注 saying it was completed — on the project's row this month, or on its
-- last row this year if it has left the lists since; it counts as 投产达效 when the
-- evidence or its last 目标任务 says 投产. A project that was on the 在建 list this year and
-- is on no list now without such evidence is 待核实 (to be verified), with the reason: its
-- county sent no 在建 list this month (nothing, or a refused file), or the project left
-- the list unexplained. See seeds/lifecycle_stages.csv.
{{ config(
    materialized='incremental',
    incremental_strategy='rebuild_window',
    on_schema_change='fail',
) }}
-- depends_on: {{ ref('int_build_window') }}
with

year_to_date as (

    select * from {{ ref('int_projects_year_to_date') }}
    where {{ in_rebuild_window() }}

),

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}
    where {{ in_rebuild_window() }}

),

region_months as (

    select * from {{ ref('int_region_months') }}

),

project_stages as (

    select * from {{ ref('project_stages') }}

),

listed as (

    select
        projects_monthly.project_key,
        projects_monthly.period_month,
        projects_monthly.region_code,
        projects_monthly.total_investment_wan,
        projects_monthly.ytd_completed_wan,
        case
            when projects_monthly.completion_evidence is not null
                then {{ completed_stage(
                    'projects_monthly.completion_evidence', 'projects_monthly.target_task'
                ) }}
            when
                projects_monthly.is_started
                or projects_monthly.listed_under_construction
                or projects_monthly.listed_unstated
                then case when projects_monthly.in_stats then '入库纳统' else '开工建设' end
            when
                projects_monthly.listed_planned_next_year
                or projects_monthly.listed_special_bond
                then '前期审批'
            else coalesce(project_stages.lifecycle_stage, '招商落地')
        end as lifecycle_stage,
        projects_monthly.completion_evidence,
        cast(null as varchar) as stage_note,
        true as is_listed
    from projects_monthly
    left join project_stages
        on projects_monthly.planning_stage = project_stages.planning_stage

),

left_the_lists as (

    select
        year_to_date.project_key,
        year_to_date.period_month,
        year_to_date.region_code,
        year_to_date.total_investment_wan,
        cast(null as double) as ytd_completed_wan,
        case
            when year_to_date.completion_evidence is not null
                then {{ completed_stage(
                    'year_to_date.completion_evidence', 'year_to_date.last_target_task'
                ) }}
            else '待核实'
        end as lifecycle_stage,
        year_to_date.completion_evidence,
        case
            when year_to_date.completion_evidence is not null then null
            when not region_months.has_under_construction_list
                then '所在地区本月未报送在建项目清单（未报送或报表被拒收）'
            else '已不在在建项目清单上，未填报实际竣工时间或竣工、退出说明'
        end as stage_note,
        false as is_listed
    from year_to_date
    inner join region_months
        on
            year_to_date.region_code = region_months.region_code
            and year_to_date.period_month = region_months.period_month
    where
        not year_to_date.is_listed_in_month
        and year_to_date.was_listed_under_construction

),

final as (

    select * from listed
    union all
    select * from left_the_lists

)

select * from final
