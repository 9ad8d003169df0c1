{#
    前期手续 (二(五)): the five approvals a planned start needs, as (column suffix, label).
    A county writes each as 已办/在办/未办; only 已办 counts as done.
#}
{% macro approvals() -%}
    {{ return([
        ('project', '立项'),
        ('land', '用地'),
        ('planning', '规划'),
        ('environment', '环评'),
        ('construction', '施工许可'),
    ]) }}
{%- endmacro %}

{# How many of the five approvals are 已办 (0–5). #}
{% macro approvals_done() -%}
    (
        {%- for key, label in approvals() %}
        cast(coalesce(approval_{{ key }} = '已办', false) as integer)
        {{- ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{# The approvals not yet 已办, joined by 、 — '' when all are done. #}
{% macro missing_approvals() -%}
    concat_ws(
        '、',
        {%- for key, label in approvals() %}
        case when coalesce(approval_{{ key }}, '') <> '已办' then '{{ label }}' end
        {{- ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
