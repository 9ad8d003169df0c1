-- The data-quality failures of the submissions in force, from every place they are
-- found: the expectation suites and SQL checks (quality.dq_failures), the cells that could
-- not be read, the files that were refused, the project-identity conflicts, the figures a
-- project's own list left empty and the library took from another list, and the
-- submissions missing from a month (a submitter's required lists, the bureau's file), the
-- projects that left the lists unexplained, and the 招商 projects started off the 在建 lists.
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

-- A file's month: its period folder's, a weekly return's by its week's Thursday, a
-- meeting's minutes by the meeting's day.
files as (

    select
        *,
        coalesce(
            period_month,
            cast(date_trunc('month', period_week + interval 3 day) as date),
            cast(date_trunc('month', meeting_day) as date)
        ) as report_month
    from {{ ref('stg_raw__files') }}

),

unreadable_cells as (

    select
        coalesce(
            cells.period_month,
            cast(date_trunc('month', cells.period_week + interval 3 day) as date),
            cells_files.report_month
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
    left join files as cells_files
        on cells.submission_id = cells_files.submission_id

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
        -- missing. Refused beside a loaded file (a scanned copy, say): a warning. A file
        -- outside any period folder counts against no month (its period is NULL): a
        -- warning, while the month it was meant for shows as not submitted.
        case
            when
                files.report_month is not null
                and refused_named.regions_named = 1
                and loaded_in_period.region_code is null
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

-- A figure the project's own list left empty, taken from another list of the same
-- month (int_projects_monthly): a warning at the empty cell of the own list's row.
{%- set borrowable = [
    ('total_investment_wan', '总投资', 'total_investment_source_list', 'total_investment_wan'),
    ('ytd_completed_wan', '1-X月累计完成投资', 'ytd_completed_source_list', 'ytd_completed_wan'),
    ('planned_start', '计划开工时间', 'planned_start_source_list', 'planned_start_month'),
    ('actual_start', '实际开工时间', 'actual_start_source_list', 'actual_start_month'),
    ('stats_entry_month', '入统时间', 'stats_entry_source_list', 'stats_entry_month'),
] %}
borrowed as (

    {% for field, header, source_list, column in borrowable -%}
    select
        period_month,
        region_code,
        primary_list,
        primary_source_row_id,
        '{{ field }}' as field,
        '{{ header }}' as header,
        {{ source_list }} as source_list,
        {% if column.endswith('_wan') -%}
        {{ amount_text(column) }} || '万元'
        {%- else -%}
        strftime({{ column }}, '%Y年%-m月')
        {%- endif %} as value_text
    from {{ ref('int_projects_monthly') }}
    where {{ source_list }} <> primary_list
    {{ 'union all' if not loop.last }}
    {% endfor %}

),

own_rows as (

    select
        source_row_id,
        submission_id,
        sheet_name,
        excel_row
    from {{ ref('int_project_rows_identified') }}

),

sheets as (

    select * from {{ ref('stg_raw__sheets') }}

),

list_titles as (

    select * from {{ ref('project_lists') }}

),

values_from_other_lists as (

    select
        borrowed.period_month,
        borrowed.region_code,
        files.original_path as source_file,
        own_rows.sheet_name as sheet,
        own_rows.excel_row,
        json_extract_string(sheets.field_columns, '$.' || borrowed.field || '.column')
            as column_letter,
        borrowed.field,
        coalesce(
            json_extract_string(sheets.field_columns, '$.' || borrowed.field || '.header'),
            borrowed.header
        ) as header,
        borrowed.value_text as value,
        'value_from_other_list' as rule,
        'warn' as severity,
        own_list.list_title || '清单未填' || borrowed.header || '，项目库采用了同月'
        || source_list.list_title || '清单填报的' || borrowed.value_text || '；请在'
        || own_list.list_title || '清单中填写' as hint,
        borrowed.primary_list as list_key,
        own_rows.submission_id,
        'other_list' as failure_source
    from borrowed
    inner join own_rows
        on borrowed.primary_source_row_id = own_rows.source_row_id
    inner join files
        on own_rows.submission_id = files.submission_id
    left join sheets
        on
            own_rows.submission_id = sheets.submission_id
            and own_rows.sheet_name = sheets.sheet_name
    inner join list_titles as own_list
        on borrowed.primary_list = own_list.list_key
    inner join list_titles as source_list
        on borrowed.source_list = source_list.list_key

),

-- A loaded file that counts for none of its lists: another of the same submitter and
-- period was received later (or, at an equal time, has the later name). The county is
-- told which one counts — a correction copied with its old file time loses this way.
superseded_submissions as (

    select
        files.report_month as period_month,
        files.region_code,
        files.original_path as source_file,
        cast(null as varchar) as sheet,
        cast(null as integer) as excel_row,
        cast(null as varchar) as column_letter,
        cast(null as varchar) as field,
        cast(null as varchar) as header,
        files.file_name as value,
        'superseded_submission' as rule,
        'warn' as severity,
        '本期已收到同一单位的另一份报送文件“' || winner.file_name || '”（'
        || strftime(winner.received_at, '%Y-%m-%d %H:%M') || '收到），以其为准；本文件（'
        || strftime(files.received_at, '%Y-%m-%d %H:%M')
        || '收到）未被采用。如本文件才是最新版本，请重新报送' as hint,
        cast(null as varchar) as list_key,
        files.submission_id,
        'superseded' as failure_source
    from files
    inner join files as winner
        on files.superseded_by = winner.submission_id
    where files.status = 'loaded' and not files.is_effective

),

completeness as (

    select * from {{ ref('int_submission_completeness') }}

),

-- A submitter whose month lacks a required list, with no exemption: the month cannot be
-- published (SPEC §4 gate (b)), and its county report says what is missing.
missing_submissions as (

    select
        completeness.period_month,
        completeness.region_code,
        strftime(completeness.period_month, '%Y-%m') || '/' as source_file,
        cast(null as varchar) as sheet,
        cast(null as integer) as excel_row,
        cast(null as varchar) as column_letter,
        cast(null as varchar) as field,
        cast(null as varchar) as header,
        completeness.missing_list_titles as value,
        'missing_submission' as rule,
        'error' as severity,
        case
            when completeness.has_monthly_workbook
                then
                    '本月报表缺少' || completeness.missing_list_titles
                    || '清单，请补报；确实没有项目的，请报送只有表头的空表'
            else
                '本月未收到贵单位的月度报表（须包括' || completeness.missing_list_titles
                || '清单），请按统一模板报送；确实无法报送的，请向市项目中心说明，登记豁免后不影响本月发布'
        end as hint,
        cast(null as varchar) as list_key,
        cast(null as varchar) as submission_id,
        'completeness' as failure_source
    from completeness
    where not completeness.is_complete

),

-- The statistics bureau's file of a month is missing: the project centre's to obtain.
missing_statistics as (

    select distinct
        period_month,
        cast(null as varchar) as region_code,
        strftime(period_month, '%Y-%m') || '/统计局_固定资产投资.xlsx' as source_file,
        cast(null as varchar) as sheet,
        cast(null as integer) as excel_row,
        cast(null as varchar) as column_letter,
        cast(null as varchar) as field,
        cast(null as varchar) as header,
        cast(null as varchar) as value,
        'missing_statistics_file' as rule,
        'error' as severity,
        '本月统计局固定资产投资数据文件未收到，请向市统计局索取后放入 raw/'
        || strftime(period_month, '%Y-%m')
        || '/；确实无法取得的，在 reference/exemptions.csv 中登记豁免（region_code 填“统计局”）' as hint,
        cast(null as varchar) as list_key,
        cast(null as varchar) as submission_id,
        'completeness' as failure_source
    from completeness
    where not is_statistics_complete

),

-- 二(七): a project that left every list without being started and without a 状态说明
-- (int_project_exits). The county is told in the month it left, at the project's last
-- row — the cell where the reason belongs.
unexplained_exits as (

    select
        exits.exit_month as period_month,
        exits.region_code,
        exits.source_file,
        exits.sheet_name as sheet,
        exits.excel_row,
        json_extract_string(sheets.field_columns, '$.status_note.column') as column_letter,
        'status_note' as field,
        coalesce(json_extract_string(sheets.field_columns, '$.status_note.header'), '状态说明')
            as header,
        exits.project_name as value,
        'project_left_unexplained' as rule,
        'warn' as severity,
        '本月' || list_titles.list_title || '清单中已没有此项目（最后列入'
        || strftime(exits.last_listed_month, '%Y年%-m月')
        || '），也未说明去向。项目终止、暂缓、调出或并入其他项目的，请在本月清单中保留该项目一行，'
        || '在“状态说明”中写明，下月起不再列入；仍在推进的，请继续列入清单' as hint,
        exits.last_list as list_key,
        exits.submission_id,
        'exit' as failure_source
    from {{ ref('int_project_exits') }} as exits
    left join sheets
        on
            exits.submission_id = sheets.submission_id
            and exits.sheet_name = sheets.sheet_name
    inner join list_titles
        on exits.last_list = list_titles.list_key
    where exits.is_unexplained

),

-- 二(八): a signed project the 招商 list reports as 已开工 that no 在建 or 已开工未入统 row
-- of the same month carries. The library counts a start only from those lists, so the
-- project stays at 招商落地 until the county lists it there; it is told at the 招商 row's
-- 落地状态 cell.
attraction_rows as (

    select
        project_key,
        period_month,
        submission_id,
        sheet_name,
        excel_row
    from {{ ref('int_project_rows_identified') }}
    where list_key = 'investment_attraction' and period_month is not null
    qualify
        row_number() over (
            partition by project_key, period_month
            order by region_code, sheet_name, excel_row
        ) = 1

),

started_off_the_lists as (

    select
        projects.period_month,
        projects.region_code,
        files.original_path as source_file,
        attraction_rows.sheet_name as sheet,
        attraction_rows.excel_row,
        json_extract_string(sheets.field_columns, '$.landing_status.column') as column_letter,
        'landing_status' as field,
        coalesce(
            json_extract_string(sheets.field_columns, '$.landing_status.header'), '落地状态'
        ) as header,
        projects.project_name as value,
        'attraction_started_unlisted' as rule,
        'warn' as severity,
        '招商引资清单填报该项目已开工，但本月在建项目和已开工未入统项目清单中都没有该项目。'
        || '已开工的，请列入在建项目清单（已入统）或已开工未入统项目清单并填写实际开工时间；'
        || '尚未开工的，请更正落地状态' as hint,
        'investment_attraction' as list_key,
        attraction_rows.submission_id,
        'cross_list' as failure_source
    from {{ ref('int_projects_monthly') }} as projects
    inner join attraction_rows
        on
            projects.project_key = attraction_rows.project_key
            and projects.period_month = attraction_rows.period_month
    inner join files
        on attraction_rows.submission_id = files.submission_id
    left join sheets
        on
            attraction_rows.submission_id = sheets.submission_id
            and attraction_rows.sheet_name = sheets.sheet_name
    where
        projects.landing_status = '已开工'
        and not projects.listed_under_construction
        and not projects.listed_unstated

),

unioned as (

    select * from suite_failures
    union all by name
    select * from unreadable_cells
    union all by name
    select * from refused_files
    union all by name
    select * from identity_conflicts
    union all by name
    select * from values_from_other_lists
    union all by name
    select * from superseded_submissions
    union all by name
    select * from missing_submissions
    union all by name
    select * from missing_statistics
    union all by name
    select * from unexplained_exits
    union all by name
    select * from started_off_the_lists

)

select * from unioned
