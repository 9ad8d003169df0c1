-- 擂台 (二(十一)): every month, within each rank group, the regions ranked on six
-- indicators, higher is better, competition ranking (1, 2, 2, 4). A region without a value
-- is listed last with rank NULL and the reason in note. Each indicator carries its Chinese
-- name from the indicators seed.
{%- set indicators = [
    'fai_growth', 'big_project_count', 'new_start_count', 'start_resume_rate',
    'central_budget_start_rate', 'special_bond_start_rate',
] %}
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

-- Why an indicator can be missing, read from what the region sent for the month.
missing_reasons as (

    select
        *,
        case
            when not has_statistics
                then '统计局本月未提供该地区数据 (no statistics for the month)'
            when fai_ytd_wan is not null and fai_prev_ytd_wan = 0
                then '上年同期为零，无法计算增速 (P−12 value is zero)'
            else '缺少上年同期数据，无法计算增速 (no P−12 value)'
        end as fai_growth_missing,
        '本月未报送在建项目清单 (no 在建 list for the month)' as big_project_count_missing,
        '本月未报送 (no submission for the month)' as new_start_count_missing,
        case
            when not has_submission then '本月未报送 (no submission for the month)'
            else '本年无计划新开工和续建项目，比率无分母 (nothing planned: division by zero)'
        end as start_resume_rate_missing,
        case
            when not has_submission then '本月未报送 (no submission for the month)'
            else '本年无中央预算内资金支持的计划新开工项目 (no planned start funded by 中央预算内)'
        end as central_budget_start_rate_missing,
        case
            when not has_submission then '本月未报送 (no submission for the month)'
            else '本年无专项债券计划新开工项目 (no planned start on the 专项债 list)'
        end as special_bond_start_rate_missing
    from region_monthly

),

unpivoted as (

    {% for indicator in indicators -%}
    select
        period_month,
        rank_group,
        region_code,
        region_name,
        '{{ indicator }}' as indicator,
        cast({{ indicator }} as double) as value,
        case when {{ indicator }} is null then {{ indicator }}_missing end as missing_reason
    from missing_reasons
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

ranked as (

    select
        *,
        -- Ratios equal on paper tie despite floating-point noise; regions without a value
        -- are ranked apart and their rank is dropped below.
        rank() over (
            partition by period_month, rank_group, indicator, value is null
            order by round(value, 9) desc
        ) as rank_among_valued,
        count(*) over (
            partition by period_month, rank_group, indicator, round(value, 9)
        ) as regions_with_value
    from unpivoted

),

final as (

    select
        ranked.period_month,
        ranked.rank_group,
        ranked.region_code,
        ranked.region_name,
        ranked.indicator,
        indicators.indicator_name_zh,
        ranked.value,
        case when ranked.value is not null then ranked.rank_among_valued end as rank,
        case
            when ranked.value is null then ranked.missing_reason
            when ranked.regions_with_value > 1 then '并列 (tied)'
        end as note
    from ranked
    left join indicators on ranked.indicator = indicators.indicator

)

select * from final
