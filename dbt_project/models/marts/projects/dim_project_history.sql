-- The project library's history (滚动, SCD2): one row per project and version. A version
-- begins in the report month whose attributes differ from the month before and lasts
-- until the next one (valid_to, exclusive). Validity follows the report months and the
-- receipts that brought them, never the time of a build: a rebuild from raw/ alone, or
-- several months loaded in one night, give the same versions. A correction of a month
-- replaces what that month said (the superseded file stays in raw.manifest).
{%- set attributes = [
    'project_code', 'region_code', 'project_name', 'project_owner', 'sector',
    'construction_type', 'responsible_person', 'library_level', 'library_type',
    'lifecycle_stage', 'total_investment_wan', 'planned_start_month', 'actual_start_month',
    'planned_completion_month', 'is_50m_plus', 'is_central_budget', 'is_special_bond',
    'is_ppp', 'is_three_early', 'is_winter_continuous',
] %}
with

attributes_monthly as (

    select * from {{ ref('int_project_attributes_monthly') }}

),

compared as (

    select
        *,
        lag(period_month) over months as previous_month,
        concat_ws(
            ', ',
            {%- for column in attributes %}
            case
                when
                    lag(period_month) over months is not null
                    and {{ column }} is distinct from lag({{ column }}) over months
                    then '{{ column }}'
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as changed_attributes
    from attributes_monthly
    window months as (partition by project_key order by period_month)

),

versions as (

    select
        *,
        row_number() over (partition by project_key order by period_month) as version_number,
        lead(period_month) over (partition by project_key order by period_month) as valid_to
    from compared
    where previous_month is null or changed_attributes <> ''

),

final as (

    select
        ---------- ids
        project_key || '@' || strftime(period_month, '%Y-%m') as version_key,
        project_key,
        version_number,

        ---------- validity (report months)
        period_month as valid_from,
        valid_to,
        valid_to is null as is_current,
        changed_attributes,

        ---------- attributes of the version
        {%- for column in attributes %}
        {{ column }},
        {%- endfor %}

        ---------- the report that brought the version
        last_period_month as observed_period_month,
        source_received_at

    from versions

)

select * from final
