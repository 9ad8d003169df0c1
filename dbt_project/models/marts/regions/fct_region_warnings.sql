-- 地区预警 (二(一) 苗头性、倾向性问题 of a region, SPEC §10): one row per region, month and
-- rule that fires, from the region's figures in fct_region_monthly.
--   fai_growth_falling     the 固定资产投资增速 fell three months running:
--                          fai_growth(P) < (P−1) < (P−2) < (P−3).
--   progress_gap_widening  behind the 序时进度 and further behind three months running:
--                          schedule_gap_pp(P) < (P−1) < (P−2) < (P−3) < 0.
--   start_rate_below_city  the 开复工率 more than var('region_start_rate_gap_pp') points below
--                          the city's (Σ over the regions, as rpt_city_trend_monthly).
-- fct_region_monthly has a row for every region and every reporting month, so the month
-- before is always the row before; a month without the figure (no statistics row, no 在建
-- list) is NULL and ends a run, which starts again from the next month that has it. A run
-- that goes on past three months is 红. Figures are compared as the 通报 prints them, to
-- 0.1 percentage point (12.0% → 12.0% is no fall, whatever the digits behind).
-- A table like its neighbours: regions × months is small, and a run reaches back as far as
-- it goes.
with

region_monthly as (

    select * from {{ ref('fct_region_monthly') }}

),

region_warning_rules as (

    select * from {{ ref('region_warning_rules') }}

),

-- The two running rules' figures, a row per region, month and rule.
running_values as (

    select
        region_code,
        period_month,
        'fai_growth_falling' as rule,
        'fai_growth' as indicator,
        fai_growth as value,
        round(fai_growth * 100, 1) as printed_pp
    from region_monthly
    union all
    select
        region_code,
        period_month,
        'progress_gap_widening' as rule,
        'schedule_gap_pp' as indicator,
        schedule_gap_pp as value,
        round(schedule_gap_pp, 1) as printed_pp
    from region_monthly

),

steps as (

    select
        *,
        lag(period_month) over by_region_rule as previous_month,
        lag(value) over by_region_rule as value_1_month_before,
        lag(value, 2) over by_region_rule as value_2_months_before,
        lag(value, 3) over by_region_rule as value_3_months_before,
        lag(printed_pp) over by_region_rule as printed_pp_1_month_before
    from running_values
    window by_region_rule as (partition by region_code, rule order by period_month)

),

-- A fall: lower than the month just before. The growth rate is compared across the turn
-- of the year (the bureau sets 1–2月 against 上年全年); the 序时进度 restarts in January
-- with the year's new plan, and a gap widens only from a month already behind it.
falls as (

    select
        *,
        coalesce(
            previous_month = period_month - interval 1 month
            and printed_pp < printed_pp_1_month_before
            and (
                rule = 'fai_growth_falling'
                or (month(period_month) > 1 and value_1_month_before < 0)
            ),
            false
        ) as is_fall
    from steps

),

-- A run is a month that did not fall and the falls after it: numbered by the months
-- without a fall so far.
runs as (

    select
        *,
        sum(case when is_fall then 0 else 1 end) over (
            partition by region_code, rule order by period_month
            rows between unbounded preceding and current row
        ) as run_number
    from falls

),

running as (

    select
        *,
        first_value(period_month) over by_run as run_start_month,
        row_number() over by_run - 1 as falling_months
    from runs
    window by_run as (
        partition by region_code, rule, run_number order by period_month
        rows between unbounded preceding and current row
    )

),

running_warnings as (

    select
        region_code,
        period_month,
        rule,
        case when falling_months >= 4 then '红' else '黄' end as level,
        indicator,
        value,
        value_1_month_before,
        value_2_months_before,
        value_3_months_before,
        cast(falling_months as integer) as falling_months,
        run_start_month,
        cast(null as double) as city_value,
        cast(null as double) as gap_pp,
        case rule
            when 'fai_growth_falling'
                then '固定资产投资增速连续' || falling_months || '个月回落：'
            else '落后序时进度的差距连续' || falling_months || '个月扩大：'
        end
        {%- for column, back in [
            ('value_3_months_before', 3), ('value_2_months_before', 2),
            ('value_1_month_before', 1), ('value', 0),
        ] %}
        {%- set month = 'period_month - interval ' ~ back ~ ' month' if back else 'period_month' %}
        || {{ month_label(month, 'true' if back == 3 else 'month(' ~ month ~ ') = 1') }}
        || case rule
            when 'fai_growth_falling' then format('{:.1f}%', {{ column }} * 100)
            else '落后' || format('{:.1f}', -{{ column }})
        end
        {%- if not loop.last %} || '→'{% endif %}
        {%- endfor %}
        || case when rule = 'progress_gap_widening' then '个百分点' else '' end as detail
    from running
    where falling_months >= 3

),

-- The city's 开复工率: Σ over every region's counts of the month.
city as (

    select
        period_month,
        {{ city_start_resume_rate() }} as city_start_resume_rate
    from region_monthly
    group by period_month

),

start_rate_gaps as (

    select
        region_monthly.region_code,
        region_monthly.period_month,
        region_monthly.start_resume_rate,
        city.city_start_resume_rate,
        round((region_monthly.start_resume_rate - city.city_start_resume_rate) * 100, 9)
            as gap_pp
    from region_monthly
    inner join city on region_monthly.period_month = city.period_month

),

start_rate_warnings as (

    select
        region_code,
        period_month,
        'start_rate_below_city' as rule,
        case when gap_pp < -{{ var('region_start_rate_red_gap_pp') }} then '红' else '黄' end
            as level,
        'start_resume_rate' as indicator,
        start_resume_rate as value,
        cast(null as double) as value_1_month_before,
        cast(null as double) as value_2_months_before,
        cast(null as double) as value_3_months_before,
        cast(null as integer) as falling_months,
        cast(null as date) as run_start_month,
        city_start_resume_rate as city_value,
        gap_pp,
        '开复工率' || format('{:.1f}%', start_resume_rate * 100) || '，低于全市（'
        || format('{:.1f}%', city_start_resume_rate * 100) || '）'
        || format('{:.1f}', -gap_pp) || '个百分点，超过'
        || {{ var('region_start_rate_gap_pp') }} || '个百分点的预警线' as detail
    from start_rate_gaps
    where gap_pp < -{{ var('region_start_rate_gap_pp') }}

),

warnings as (

    select * from running_warnings
    union all
    select * from start_rate_warnings

),

final as (

    select
        ---------- ids
        warnings.period_month,
        warnings.region_code,
        region_monthly.region_name,
        region_monthly.rank_group,
        warnings.rule,
        region_warning_rules.rule_name_zh,
        warnings.level,

        ---------- what triggered it
        warnings.indicator,
        warnings.value,
        warnings.value_1_month_before,
        warnings.value_2_months_before,
        warnings.value_3_months_before,
        warnings.falling_months,
        warnings.run_start_month,
        warnings.city_value,
        warnings.gap_pp,
        warnings.detail

    from warnings
    inner join region_monthly
        on
            warnings.region_code = region_monthly.region_code
            and warnings.period_month = region_monthly.period_month
    left join region_warning_rules on warnings.rule = region_warning_rules.rule

)

select * from final
