-- 亮点项目 (二(六)): each month, the 在建 projects to publicise. Among the month's 在建
-- projects with a completion rate, no red warning and no open error, score = rank of total
-- investment + rank of completion rate (both descending, competition ranking); the best
-- scores city-wide, at most showcase_max_per_region per region, showcase_size in all.
with

projects_monthly as (

    select * from {{ ref('fct_project_monthly') }}

),

red_warnings as (

    select distinct
        project_key,
        period_month
    from {{ ref('fct_early_warnings') }}
    where level = '红'

),

-- Projects with an open error-severity data-quality failure in the month (SPEC §4): not
-- shown to the public until the county has corrected them.
projects_with_open_errors as (

    select distinct
        project_key,
        period_month
    from {{ ref('fct_dq_failures') }}
    where severity = 'error' and project_key is not null

),

candidates as (

    select projects_monthly.*
    from projects_monthly
    left join red_warnings
        on
            projects_monthly.project_key = red_warnings.project_key
            and projects_monthly.period_month = red_warnings.period_month
    left join projects_with_open_errors
        on
            projects_monthly.project_key = projects_with_open_errors.project_key
            and projects_monthly.period_month = projects_with_open_errors.period_month
    where
        projects_monthly.listed_under_construction
        and projects_monthly.completion_rate is not null
        and projects_monthly.total_investment_wan is not null
        and red_warnings.project_key is null
        and projects_with_open_errors.project_key is null

),

scored as (

    select
        *,
        rank() over (partition by period_month order by total_investment_wan desc)
            as total_investment_rank,
        rank() over (partition by period_month order by round(completion_rate, 9) desc)
            as completion_rate_rank
    from candidates

),

capped as (

    select
        *,
        total_investment_rank + completion_rate_rank as score,
        row_number() over (
            partition by period_month, region_code
            order by
                total_investment_rank + completion_rate_rank asc,
                total_investment_wan desc,
                completion_rate desc,
                project_key asc
        ) as place_in_region
    from scored

),

ordered as (

    select
        *,
        row_number() over (
            partition by period_month
            order by
                score asc, total_investment_wan desc, completion_rate desc, project_key asc
        ) as showcase_rank
    from capped
    where place_in_region <= {{ var('showcase_max_per_region') }}

),

final as (

    select
        period_month,
        showcase_rank,
        project_key,
        region_code,
        project_code,
        project_name,
        project_owner,
        total_investment_wan,
        ytd_completed_wan,
        completion_rate,
        total_investment_rank,
        completion_rate_rank,
        score
    from ordered
    where showcase_rank <= {{ var('showcase_size') }}

)

select * from final
