-- 绩效考核 (三(三)): within each rank group and month, the four indicators are ranked
-- (higher is better, competition ranking); rank_sum is their weighted sum (dbt var
-- assessment_weights, equal by default); composite_rank orders rank_sum ascending, ties
-- broken by the better fai_growth rank, then shared. A region without a value for an
-- indicator takes the last place for it (one below the last region with a value) and
-- missing_indicators names it, so that not reporting never beats reporting; note_zh says
-- so in Chinese (the indicators' names and the report_notes seed). Each composite rank
-- carries the region's composite rank of the previous calendar month and the change.
{%- set weights = var('assessment_weights') %}
{%- set indicators = [
    'fai_growth', 'private_investment_share', 'big_project_investment_share',
    'big_project_count_growth',
] %}
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

-- The indicators' Chinese names in one row, for the note of the missing ones.
indicator_names as (

    select
        {% for indicator in indicators -%}
        any_value(indicator_name_zh) filter (where indicator = '{{ indicator }}')
            as {{ indicator }}_name_zh,
        {% endfor -%}
        count(*) as indicators_count
    from {{ ref('indicators') }}

),

missing_note as (

    select note_zh from {{ ref('report_notes') }}
    where note_code = 'indicators_missing'

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
        ) as missing_note,
        list_filter(
            [
                {% for indicator in indicators -%}
                case when {{ indicator }} is null then '{{ indicator }}' end
                {{- ',' if not loop.last }}
                {% endfor -%}
            ],
            lambda indicator: indicator is not null
        )::varchar[] as missing_indicators,
        concat_ws(
            '、',
            {% for indicator in indicators -%}
            case when {{ indicator }} is null then indicator_names.{{ indicator }}_name_zh end
            {{- ',' if not loop.last }}
            {% endfor -%}
        ) as missing_names_zh
    from ranked_apart
    cross join indicator_names

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

composite as (

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
        missing_indicators,
        missing_names_zh,
        nullif(missing_note, '') as note
    from summed

),

final as (

    select
        composite.period_month,
        composite.rank_group,
        composite.region_code,
        composite.region_name,
        composite.fai_growth,
        composite.private_investment_share,
        composite.big_project_investment_share,
        composite.big_project_count_growth,
        composite.fai_growth_rank,
        composite.private_investment_share_rank,
        composite.big_project_investment_share_rank,
        composite.big_project_count_growth_rank,
        composite.rank_sum,
        composite.composite_rank,
        -- the same region's composite rank in the previous calendar month (December
        -- before January); positive change: moved up
        previous_month.composite_rank as previous_composite_rank,
        previous_month.composite_rank - composite.composite_rank as composite_rank_change,
        composite.missing_indicators,
        case when len(composite.missing_indicators) > 0 then 'indicators_missing' end
            as note_code,
        case
            when len(composite.missing_indicators) > 0
                then composite.missing_names_zh || missing_note.note_zh
        end as note_zh,
        composite.note
    from composite
    left join missing_note on true
    left join composite as previous_month
        on
            composite.region_code = previous_month.region_code
            and previous_month.period_month = composite.period_month - interval 1 month

)

select * from final
