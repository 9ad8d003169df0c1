-- 绩效考核 (三(三)): within each rank group and month, the four indicators are ranked
-- (higher is better, competition ranking); rank_sum is their weighted sum (dbt var
-- assessment_weights, equal by default); composite_rank orders rank_sum ascending, ties
-- broken by the better fai_growth rank, then shared. A region without a value for an
-- indicator takes the last place for it (one below the last region with a value) and the
-- note says so, so that not reporting never beats reporting.
{%- set weights = var('assessment_weights') %}
{%- set indicators = [
    'fai_growth', 'private_investment_share', 'big_project_investment_share',
    'big_project_count_growth',
] %}
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

ranked_apart as (

    select
        {% for indicator in indicators -%}
        rank() over (
            partition by period_month, rank_group, {{ indicator }} is null
            order by round({{ indicator }}, 9) desc
        ) as {{ indicator }}_rank_among_valued,
        count({{ indicator }}) over (partition by period_month, rank_group)
            as {{ indicator }}_valued_regions,
        {% endfor -%}
        *
    from region_monthly

),

ranked as (

    select
        period_month,
        rank_group,
        region_code,
        region_name,
        {% for indicator in indicators -%}
        {{ indicator }},
        case
            when {{ indicator }} is null then {{ indicator }}_valued_regions + 1
            else {{ indicator }}_rank_among_valued
        end as {{ indicator }}_rank,
        {% endfor -%}
        concat_ws(
            '；',
            {% for indicator in indicators -%}
            case when {{ indicator }} is null then '{{ indicator }} 无数据，按末位计' end
            {{- ',' if not loop.last }}
            {% endfor -%}
        ) as missing_note
    from ranked_apart

),

summed as (

    select
        *,
        cast(
            {% for indicator in indicators -%}
            {{ weights[indicator] }} * {{ indicator }}_rank{{ ' +' if not loop.last }}
            {% endfor -%}
            as double
        ) as rank_sum
    from ranked

),

final as (

    select
        period_month,
        rank_group,
        region_code,
        region_name,
        fai_growth,
        private_investment_share,
        big_project_investment_share,
        big_project_count_growth,
        fai_growth_rank,
        private_investment_share_rank,
        big_project_investment_share_rank,
        big_project_count_growth_rank,
        rank_sum,
        rank() over (
            partition by period_month, rank_group
            order by round(rank_sum, 9) asc, fai_growth_rank asc
        ) as composite_rank,
        nullif(missing_note, '') as note
    from summed

)

select * from final
