{# A ratio that is NULL, not an error or infinity, when the denominator is NULL or 0. #}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}

{# An amount as text for a message: 40900.0 → '40900', 12.50 → '12.5'. #}
{% macro amount_text(amount) -%}
    rtrim(rtrim(format('{:.2f}', {{ amount }}), '0'), '.')
{%- endmacro %}

{#
    Σ of an amount in 万元, exact: summed as DECIMAL (to 0.0001万 = 1元), so that the total
    does not depend on the order DuckDB's threads add the rows in — a re-run with no new
    input gives the same marts, to the last bit.
#}
{% macro sum_amount(amount, where=none) -%}
    cast(
        sum(cast({{ amount }} as decimal(18, 4)))
        {%- if where %} filter (where {{ where }}){% endif %}
        as double
    )
{%- endmacro %}
