{#
    Every row satisfies `expression` (rows where it is NULL pass: say `coalesce(…)` when
    NULL should fail). A failure returns the offending rows.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
