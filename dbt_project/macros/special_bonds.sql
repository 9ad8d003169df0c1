{#
    覆盖倍数 of a special-purpose bond project: expected revenue / cost when both are
    reported (cost > 0), else the ratio the county wrote. The stress case takes revenue
    −10 % and cost +10 % (dbt vars bond_stress_revenue_factor, bond_stress_cost_factor).
#}
{% macro bond_coverage_ratio(revenue, cost, reported_ratio) -%}
    coalesce({{ safe_divide(revenue, cost) }}, {{ reported_ratio }})
{%- endmacro %}

{% macro bond_stress_coverage_ratio(revenue, cost, reported_ratio) -%}
    {%- set revenue_factor = var('bond_stress_revenue_factor') -%}
    {%- set cost_factor = var('bond_stress_cost_factor') -%}
    coalesce(
        {{ safe_divide(revenue ~ ' * ' ~ revenue_factor, cost ~ ' * ' ~ cost_factor) }},
        {{ reported_ratio }} * {{ revenue_factor }} / {{ cost_factor }}
    )
{%- endmacro %}
