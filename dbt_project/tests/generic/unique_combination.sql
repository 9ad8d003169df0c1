{#
    The grain test: no two rows share the same values in `columns`. A failure returns each
    duplicated key and how many rows carry it — the model does not have the grain it states.
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
