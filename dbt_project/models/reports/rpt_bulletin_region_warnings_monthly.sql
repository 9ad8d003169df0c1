-- 通报 地区预警 (二(一), 三(三)): every region warning of the month (fct_region_warnings),
-- with the rule's Chinese name and its detail, for the 预警与问题 section.
with

warnings as (

    select * from {{ ref('fct_region_warnings') }}

),

final as (

    select
        period_month,
        rank_group,
        region_code,
        coalesce(region_name, region_code) as region_name,
        rule,
        rule_name_zh,
        level,
        detail
    from warnings

)

select * from final
