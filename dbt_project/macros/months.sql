{#
    "As of" a month means as of its last day (SPEC §3): every age and deadline is measured
    against month_end(period_month), never against the day the pipeline runs.
#}
{% macro month_end(period_month) -%}
    last_day({{ period_month }})
{%- endmacro %}

{# Whole calendar months from one month to another: 2026-08 → 2026-10 is 2. #}
{% macro months_between(from_month, to_month) -%}
    datediff('month', {{ from_month }}, {{ to_month }})
{%- endmacro %}

{# 序时进度: the share of the year elapsed at the end of the month (October: 10/12). #}
{% macro elapsed_year_share(period_month) -%}
    (month({{ period_month }}) / 12.0)
{%- endmacro %}

{# A month as a message says it: 2026年6月 when `with_year` holds, else 6月. #}
{% macro month_label(period_month, with_year='true') -%}
    case
        when {{ with_year }} then strftime({{ period_month }}, '%Y年%-m月')
        else strftime({{ period_month }}, '%-m月')
    end
{%- endmacro %}
