-- The project library's history (滚动): one row per project and version, read from the
-- snapshot, with the attributes that changed from the previous version.
{%- set attributes = [
    'project_code', 'region_code', 'project_name', 'project_owner', 'sector',
    'construction_type', 'responsible_person', 'library_level', 'library_type',
    'lifecycle_stage', 'total_investment_wan', 'planned_start_month', 'actual_start_month',
    'planned_completion_month', 'is_50m_plus', 'is_central_budget', 'is_special_bond',
    'is_ppp', 'is_three_early', 'is_winter_continuous',
] %}
with

snapshot as (

    select * from {{ ref('project_attributes_snapshot') }}

),

compared as (

    select
        *,
        row_number() over (partition by project_key order by dbt_valid_from) as version_number,
        concat_ws(
            ', ',
            {%- for column in attributes %}
            case
                when
                    lag(dbt_scd_id) over versions is not null
                    and {{ column }} is distinct from lag({{ column }}) over versions
                    then '{{ column }}'
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as changed_attributes
    from snapshot
    window versions as (partition by project_key order by dbt_valid_from)

),

final as (

    select
        ---------- ids
        dbt_scd_id as version_key,
        project_key,
        version_number,

        ---------- validity
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current,
        changed_attributes,

        ---------- attributes of the version
        {%- for column in attributes %}
        {{ column }},
        {%- endfor %}

        ---------- the report that brought the version
        last_period_month as observed_period_month,
        source_received_at

    from compared

)

select * from final
