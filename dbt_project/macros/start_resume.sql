{#
    开复工率 (start_resume_rate, SPEC §3) = (planned new starts of Y started by P +
    continuing projects resumed by P) / (planned new starts of Y + continuing projects),
    over the counts of fct_region_monthly. A region's rate divides its own counts; the
    city's divides their sums over the regions (never a mean of the regions' rates).
#}
{% macro started_or_resumed_count() -%}
    planned_new_started_count + continuing_resumed_count
{%- endmacro %}

{% macro planned_or_continuing_count() -%}
    planned_new_start_count + continuing_count
{%- endmacro %}

{% macro city_start_resume_rate() -%}
    {{ safe_divide(
        'sum(' ~ started_or_resumed_count() ~ ')', 'sum(' ~ planned_or_continuing_count() ~ ')'
    ) }}
{%- endmacro %}
