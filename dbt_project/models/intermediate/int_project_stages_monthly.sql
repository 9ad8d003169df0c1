-- The lifecycle stage (二(十): 招商落地→前期审批→开工建设→入库纳统→竣工验收→投产达效) of
-- every project in every month, as of the end of that month. A project on a list is
-- placed by what the list says; a project that was on the 在建 list earlier this year and
-- is on no list now — while its submitter did send a 在建 list — has been completed (竣工),
-- and counts as 投产达效 when its last 目标任务 promised 投产. See seeds/lifecycle_stages.csv.
with

year_to_date as (

    select * from {{ ref('int_projects_year_to_date') }}

),

projects_monthly as (

    select * from {{ ref('int_projects_monthly') }}

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
        true as is_listed
    from projects_monthly
    left join project_stages
        on projects_monthly.planning_stage = project_stages.planning_stage

),

completed as (

    select
        year_to_date.project_key,
        year_to_date.period_month,
        year_to_date.region_code,
        year_to_date.total_investment_wan,
        cast(null as double) as ytd_completed_wan,
        case
            when coalesce(contains(year_to_date.last_target_task, '投产'), false) then '投产达效'
            else '竣工验收'
        end as lifecycle_stage,
        false as is_listed
    from year_to_date
    inner join region_months
        on
            year_to_date.region_code = region_months.region_code
            and year_to_date.period_month = region_months.period_month
    where
        not year_to_date.is_listed_in_month
        and year_to_date.was_listed_under_construction
        and region_months.has_under_construction_list

),

final as (

    select * from listed
    union all
    select * from completed

)

select * from final
