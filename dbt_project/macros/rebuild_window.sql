{#
    Cost follows change (SPEC §7): the month-grained models are incremental. A build
    rebuilds every month from the earliest month whose inputs changed since the last
    successful build (the rebuild window, int_build_window), and keeps the months before
    it as they are. Everything these models compute for a month reads that month and the
    months before it (year to date, the previous month, three months back, P−12), never a
    later one, so every month before the window is what a full build would write.

    The inputs of a month are digested in int_build_window; the digests of the last
    successful build live in meta.built_month_inputs, written when a build ends with every
    incremental model built (record_build_window, on-run-end). A warehouse without them
    rebuilds every month. A change of the dbt project's code, seeds or vars is not a change
    of inputs: `dbt build --full-refresh` after one (the nightly run does it by itself,
    dagster_project/assets/marts.py).
#}

{# on-run-start: the table of the last build's digests, empty in a new warehouse. #}
{% macro create_build_window_table() -%}
    create schema if not exists meta;
    create table if not exists {{ built_inputs_table() }} (
        period_month date, input_digest hugeint, built_at timestamp
    )
{%- endmacro %}

{% macro built_inputs_table() -%}meta.built_month_inputs{%- endmacro %}

{#
    The first month an incremental model rebuilds, as a date literal (read when the model
    runs, after int_build_window is built). A full build needs no window: every month.
#}
{% macro rebuild_from() -%}
    {%- if execute -%}
        {%- set found = run_query('select rebuild_from from ' ~ ref('int_build_window') ~ ' limit 1') -%}
        {%- set first = found.columns[0].values()[0] if found.rows | length else none -%}
        date '{{ first if first is not none else "9999-12-01" }}'
    {%- else -%}
        date '0001-01-01'
    {%- endif -%}
{%- endmacro %}

{#
    `where` for a model's month rows: every month in a full build, the window in an
    incremental one. `column` is the month column of the rows being filtered; `reach`
    widens the window backwards for what a month reads of earlier ones: a number of
    months (three months back: 3), or 'year' (year to date: from January of the window's
    first month).
#}
{% macro in_rebuild_window(column='period_month', reach=0) -%}
    {%- if is_incremental() -%}
        {%- if reach == 'year' -%}
            {{ column }} >= date_trunc('year', {{ rebuild_from() }})
        {%- elif reach -%}
            {{ column }} >= {{ rebuild_from() }} - interval {{ reach }} month
        {%- else -%}
            {{ column }} >= {{ rebuild_from() }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#
    The incremental strategy of the month-grained models (config
    incremental_strategy='rebuild_window'): the months of the window are deleted, and
    the model's rows for them (the new build, which holds only those months) inserted.
    A month that no longer has inputs is deleted and not inserted again.
#}
{% macro get_incremental_rebuild_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }} where period_month >= {{ rebuild_from() }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}

{#
    on-run-end: the digests the incremental models were built from become the last
    build's, when every incremental model of the project was built in this run without an
    error. A run that built some of them (a selection) or failed leaves the digests of the
    last complete build, so that the next build rebuilds from the earliest month changed
    since then.
#}
{% macro record_build_window(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run') -%}
        {%- set built = [] -%}
        {%- for result in results -%}
            {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
                {%- do built.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set incremental = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
                {%- do incremental.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set window = graph.nodes.values() | selectattr('name', 'equalto', 'int_build_window') | first -%}
        {%- set missing = incremental | reject('in', built) | list -%}
        {%- if not missing and window.unique_id in built -%}
            {%- call statement('record_build_window') -%}
                delete from {{ built_inputs_table() }};
                insert into {{ built_inputs_table() }}
                select period_month, input_digest, current_timestamp
                from {{ window.relation_name }}
                where input_digest is not null
            {%- endcall -%}
            {#- hooks end in a rollback: what they write is committed here -#}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
