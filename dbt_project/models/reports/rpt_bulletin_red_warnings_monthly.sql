-- 通报 红色预警 (二(一), 三(三)): every red warning of the month, with the region, the rule's
-- Chinese name (seed warning_rules, through fct_early_warnings), the 包保责任人 and the
-- project's total investment (the month's, else the library's).
with

warnings as (

    select * from {{ ref('fct_early_warnings') }}
    where level = '红'

),

regions as (

    select * from {{ ref('dim_region') }}

),

projects_monthly as (

    select * from {{ ref('fct_project_monthly') }}

),

projects as (

    select * from {{ ref('dim_project') }}

),

final as (

    select
        warnings.period_month,
        regions.rank_group,
        warnings.region_code,
        coalesce(regions.region_name, warnings.region_code) as region_name,
        warnings.project_key,
        warnings.project_name,
        warnings.rule,
        warnings.rule_name_zh,
        warnings.detail,
        warnings.responsible_person,
        coalesce(projects_monthly.total_investment_wan, projects.total_investment_wan)
            as total_investment_wan
    from warnings
    left join regions on warnings.region_code = regions.region_code
    left join projects_monthly
        on
            warnings.project_key = projects_monthly.project_key
            and warnings.period_month = projects_monthly.period_month
    left join projects on warnings.project_key = projects.project_key

)

select * from final
