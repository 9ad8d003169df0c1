-- The data-quality failures of the submissions in force, from the four places they are
-- found: the expectation suites and cross-month checks, the cells that could not be read,
-- the files that were refused, and the project-identity conflicts.
with

suite_failures as (

    select
        period_month,
        region_code,
        source_file,
        sheet,
        excel_row,
        column_letter,
        field,
        header,
        value,
        rule,
        severity,
        hint,
        list_key,
        submission_id,
        'suite' as failure_source
    from {{ ref('stg_quality__dq_failures') }}

),

effective_lists as (

    select
        submission_id,
        list_key
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective

),

unreadable_cells as (

    select
        coalesce(
            cells.period_month,
            cast(date_trunc('month', cells.period_week + interval 3 day) as date)
        ) as period_month,
        cells.region_code,
        cells.source_file,
        cells.sheet_name as sheet,
        cells.excel_row,
        cells.column_letter,
        cells.field,
        cells.header,
        cells.value,
        'unreadable_cell' as rule,
        cells.severity,
        cells.reason as hint,
        cells.list_key,
        cells.submission_id,
        'unreadable' as failure_source
    from {{ ref('stg_raw__quarantined_cells') }} as cells
    inner join effective_lists
        on
            cells.submission_id = effective_lists.submission_id
            and cells.list_key = effective_lists.list_key

),

files as (

    select
        *,
        coalesce(
            period_month, cast(date_trunc('month', period_week + interval 3 day) as date)
        ) as report_month
    from {{ ref('stg_raw__files') }}

),

regions as (

    select * from {{ ref('stg_raw__regions') }}

),

-- A refused file carries no submitter (ingestion did not get that far): it is named by
-- the one region whose code or name its file name contains, if exactly one does.
refused_named as (

    select
        files.submission_id,
        min(regions.region_code) as region_code,
        count(distinct regions.region_code) as regions_named
    from files
    left join regions
        on
            contains(files.file_name, regions.region_code)
            or contains(files.file_name, regions.region_name)
    where files.status = 'rejected'
    group by files.submission_id

),

loaded_in_period as (

    select distinct
        region_code,
        report_month
    from files
    where status = 'loaded'

),

refused_files as (

    select
        files.report_month as period_month,
        case when refused_named.regions_named = 1 then refused_named.region_code end
            as region_code,
        files.original_path as source_file,
        cast(null as varchar) as sheet,
        cast(null as integer) as excel_row,
        cast(null as varchar) as column_letter,
        cast(null as varchar) as field,
        cast(null as varchar) as header,
        files.file_name as value,
        'rejected_file' as rule,
        -- Refused with nothing else received for the period: the county's figures are
        -- missing. Refused beside a loaded file (a scanned copy, say): a warning.
        case
            when refused_named.regions_named = 1 and loaded_in_period.region_code is null
                then 'error'
            else 'warn'
        end as severity,
        files.reason as hint,
        cast(null as varchar) as list_key,
        files.submission_id,
        'refused_file' as failure_source
    from files
    inner join refused_named
        on files.submission_id = refused_named.submission_id
    left join loaded_in_period
        on
            refused_named.region_code = loaded_in_period.region_code
            and files.report_month = loaded_in_period.report_month
    where files.status = 'rejected'

),

conflicts as (

    select
        *,
        -- the latest row the conflict was seen on: submission_id:sheet:Excel row
        source_row_ids[len(source_row_ids)] as last_row_id
    from {{ ref('int_project_identity_conflicts') }}

),

identity_conflicts as (

    select
        files.report_month as period_month,
        conflicts.region_code,
        files.original_path as source_file,
        regexp_extract(conflicts.last_row_id, '^[^:]+:(.*):[0-9]+$', 1) as sheet,
        cast(regexp_extract(conflicts.last_row_id, ':([0-9]+)$', 1) as integer) as excel_row,
        cast(null as varchar) as column_letter,
        case
            when conflicts.conflict_type = 'one_name_several_codes' then 'project_name'
            else 'project_code'
        end as field,
        cast(null as varchar) as header,
        case
            when conflicts.conflict_type = 'one_code_several_names'
                then array_to_string(conflicts.project_names, '、')
            when conflicts.conflict_type = 'one_code_several_regions'
                then array_to_string(conflicts.region_codes, '、')
            else array_to_string(conflicts.project_codes, '、')
        end as value,
        conflicts.conflict_type as rule,
        'warn' as severity,
        case conflicts.conflict_type
            when 'one_code_several_names'
                then '同一项目代码对应多个项目名称，请核对项目代码或统一项目名称'
            when 'one_name_several_codes'
                then '同一项目名称对应多个项目代码，请核对是否为同一项目'
            when 'one_code_several_regions'
                then '同一项目代码由多个地区报送，请核对项目所属地区'
            else '同一清单中重复填报了该项目，请删除重复行'
        end as hint,
        cast(null as varchar) as list_key,
        files.submission_id,
        'identity' as failure_source
    from conflicts
    inner join files
        on split_part(conflicts.last_row_id, ':', 1) = files.submission_id

),

unioned as (

    select * from suite_failures
    union all by name
    select * from unreadable_cells
    union all by name
    select * from refused_files
    union all by name
    select * from identity_conflicts

)

select * from unioned
