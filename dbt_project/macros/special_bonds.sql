{#
    覆盖倍数 of a special-purpose bond project (本息覆盖倍数 = 项目收益 / 融资本息). The
    county reports the ratio and the figures behind it (预期收入, 成本); where both give a
    ratio and they disagree, the warning rules take the lower (SPEC §4) until the county
    corrects it — quality/bond_coverage.py reports the disagreement. The stress case
    takes revenue −10 % and cost +10 % (dbt vars bond_stress_revenue_factor,
    bond_stress_cost_factor), i.e. the ratio times 0.9 / 1.1.
#}
{% macro bond_computed_coverage_ratio(revenue, cost) -%}
    {{ safe_divide(revenue, cost) }}
{%- endmacro %}

{# The lower of the two; DuckDB's least() skips a NULL, so either alone counts. #}
{% macro bond_coverage_ratio(revenue, cost, reported_ratio) -%}
    least({{ bond_computed_coverage_ratio(revenue, cost) }}, {{ reported_ratio }})
{%- endmacro %}

{% macro bond_stress_coverage_ratio(revenue, cost, reported_ratio) -%}
    {{ bond_coverage_ratio(revenue, cost, reported_ratio) }}
    * {{ var('bond_stress_revenue_factor') }} / {{ var('bond_stress_cost_factor') }}
{%- endmacro %}
