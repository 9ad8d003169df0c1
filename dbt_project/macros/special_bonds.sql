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

{#
    财务评价 (二(四)): the bond's terms, as the list states them or at the dbt vars
    bond_default_rate / bond_default_term_years, and its principal — the issued amount once
    there is one, the applied amount before. Interest is paid yearly and the principal at
    maturity (每年付息、到期还本), so the term's 本息 is principal × (1 + rate × term).
#}
{% macro bond_rate_used() -%}
    coalesce(bond_rate, {{ var('bond_default_rate') }})
{%- endmacro %}

{% macro bond_term_used() -%}
    coalesce(bond_term_years, {{ var('bond_default_term_years') }})
{%- endmacro %}

{% macro bond_principal() -%}
    case when bond_issued_wan > 0 then bond_issued_wan else bond_amount_wan end
{%- endmacro %}

{# 支出进度: spent of issued; NULL before issuance or when 已支出金额 is not reported. #}
{% macro bond_spend_rate() -%}
    case when bond_issued_wan > 0 then bond_spent_wan / bond_issued_wan end
{%- endmacro %}
