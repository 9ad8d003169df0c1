{#
    A field of a project-month reported on several lists is taken from the list closest
    to the work on site: 在建 (uc) > 已开工未入统 (un) > 专项债 (sb) > 明年拟开工 (pl) >
    重大谋划 (mp) > 招商引资 (ia). `lists` names the aliases, in that order, that carry the field.
#}
{% macro first_reported(field, lists) -%}
    coalesce({% for alias in lists %}{{ alias }}.{{ field }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#
    Which list the value of first_reported() comes from (NULL when none has it): when it
    is not the project's own list (primary_list), the value was borrowed, and the mart
    and the county's report say so.
#}
{% macro reported_on(field, lists) -%}
    {%- set keys = {
        'uc': 'under_construction', 'un': 'unstated', 'sb': 'special_bonds',
        'pl': 'planned_next_year', 'mp': 'major_planning', 'ia': 'investment_attraction',
    } -%}
    case
        {%- for alias in lists %}
        when {{ alias }}.{{ field }} is not null then '{{ keys[alias] }}'
        {%- endfor %}
    end
{%- endmacro %}
