-- 擂台 (二(十一)): every month, within each rank group, the regions ranked on six
-- indicators, higher is better, competition ranking (1, 2, 2, 4). A region without a value
-- is listed last with rank NULL and the reason as a note_code (seed report_notes, with its
-- Chinese text note_zh). Each indicator carries its Chinese name from the indicators seed,
-- and each rank the region's rank of the previous calendar month and the change.
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

report_notes as (

    select * from {{ ref('report_notes') }}

),

-- Why an indicator can be missing, read from what the region sent for the month, as a
-- code of the report_notes seed.
missing_reasons as (

    select
        *,
        case
            when not has_statistics then 'no_statistics'
            when fai_ytd_wan is not null and fai_prev_ytd_wan = 0 then 'prior_year_zero'
            else 'no_prior_year'
        end as fai_growth_missing,
        'no_under_construction_list' as big_project_count_missing,
        'no_submission' as new_start_count_missing,
        case
            when not has_submission then 'no_submission'
            else 'nothing_planned'
        end as start_resume_rate_missing,
        case
            when not has_submission then 'no_submission'
            else 'no_central_budget_start_planned'
        end as central_budget_start_rate_missing,
        case
            when not has_submission then 'no_submission'
            else 'no_special_bond_start_planned'
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
        case when {{ indicator }} is null then {{ indicator }}_missing end as missing_code
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

noted as (

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
            when ranked.value is null then ranked.missing_code
            when ranked.regions_with_value > 1 then 'tied'
        end as note_code
    from ranked
    left join indicators on ranked.indicator = indicators.indicator

),

-- The same region's rank for the same indicator in the previous calendar month
-- (December before January).
compared as (

    select
        noted.*,
        previous_month.rank as previous_rank
    from noted
    left join noted as previous_month
        on
            noted.region_code = previous_month.region_code
            and noted.indicator = previous_month.indicator
            and previous_month.period_month = noted.period_month - interval 1 month

),

final as (

    select
        compared.period_month,
        compared.rank_group,
        compared.region_code,
        compared.region_name,
        compared.indicator,
        compared.indicator_name_zh,
        compared.value,
        compared.rank,
        compared.previous_rank,
        -- positive: moved up
        compared.previous_rank - compared.rank as rank_change,
        compared.note_code,
        report_notes.note_zh,
        -- the note as analysts have read it so far: Chinese, then the English gloss
        report_notes.note_zh || ' (' || report_notes.note_en || ')' as note
    from compared
    left join report_notes on compared.note_code = report_notes.note_code

)

select * from final
