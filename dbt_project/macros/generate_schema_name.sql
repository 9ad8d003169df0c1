{#
    Models land in the schema their folder names (staging, intermediate, marts), not in
    "main_staging": analysts query marts.fct_region_monthly, as SPEC §3 names it.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
