-- The rebuild window of the incremental month-grained models (macros/rebuild_window.sql):
-- one row per month with a digest of every input those models read for it, the digest
-- the last successful build read, and the first month whose digest differs. A new month,
-- a county's re-submission for a month, or a project whose identity changed in a month
-- (int_project_rows_identified carries the project key) changes that month's digest; a
-- month gone from the inputs counts as changed too. With no digest recorded yet (a new
-- warehouse) every month is in the window.
{#- every input the incremental models read by month; each row is hashed whole -#}
{%- set inputs = {
    'identified_rows': ref('int_project_rows_identified'),
    'files': ref('stg_raw__files'),
    'region_months': ref('int_region_months'),
    'statistics': ref('int_fai_statistics_effective'),
    'report_months': ref('int_report_months'),
} %}
with

{% for name, relation in inputs.items() %}
{{ name }} as (

    select
        period_month,
        sum(hash(input_row)) as row_digest,
        count(*) as row_count
    from {{ relation }} as input_row  -- noqa: AL05
    where period_month is not null
    group by period_month

),

{% endfor %}
inputs as (

    {% for name in inputs %}
    select
        '{{ name }}' as input_name,
        *
    from {{ name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

current_digests as (

    select
        period_month,
        sum(hash(input_name, row_digest, row_count)) as input_digest
    from inputs
    group by period_month

),

built_digests as (

    select
        period_month,
        input_digest
    from {{ built_inputs_table() }}

),

compared as (

    select
        coalesce(current_digests.period_month, built_digests.period_month) as period_month,
        current_digests.input_digest,
        built_digests.input_digest as built_input_digest,
        -- a month on one side only (new, or gone) has no digest on the other
        coalesce(current_digests.input_digest <> built_digests.input_digest, true) as is_changed
    from current_digests
    full outer join built_digests
        on current_digests.period_month = built_digests.period_month

),

final as (

    select
        period_month,
        input_digest,
        built_input_digest,
        is_changed,
        -- the earliest changed month; every month when nothing was recorded yet
        case
            when not exists (select 1 from built_digests) then date '0001-01-01'
            else coalesce(min(period_month) filter (where is_changed) over (), date '9999-12-01')
        end as rebuild_from
    from compared

)

select * from final
