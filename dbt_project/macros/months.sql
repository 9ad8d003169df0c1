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
