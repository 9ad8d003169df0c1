{#
    The columns every staged list row starts with: where it came from (submission, sheet,
    Excel row) and the project it names, in the spelling identity matching uses.
#}
{% macro list_row_lineage(list_key) -%}
        ---------- ids
        submission_id || ':' || sheet_name || ':' || excel_row as source_row_id,
        submission_id,
        '{{ list_key }}' as list_key,
        region_code,

        ---------- periods
        period_month,
        period_week,

        ---------- lineage
        sheet_name,
        excel_row
{%- endmacro %}

{% macro list_row_project_identity(has_code=true) -%}
        {% if has_code -%}
        {{ normalise_project_code('project_code') }} as project_code,
        {{ is_valid_project_code(normalise_project_code('project_code')) }} as is_valid_project_code,
        {%- else -%}
        cast(null as varchar) as project_code,
        false as is_valid_project_code,
        {%- endif %}
        project_name,
        {{ normalise_project_name('project_name') }} as project_name_key
{%- endmacro %}
