-- Is each submitter's month complete (SPEC §4 gate (b))? One row per region of the
-- reference and month with county submissions: which monthly lists it sent, which of
-- the required ones (var required_monthly_lists) are missing, whether the statistics
-- bureau's file of the month is there, and any exemption the project centre recorded.
with

regions as (

    select * from {{ ref('stg_raw__regions') }}

),

county_lists as (

    select * from {{ ref('stg_raw__submission_lists') }}
    where is_effective and submission_kind = 'county_monthly'

),

-- A month counts once some county has sent its workbook for it.
months as (

    select distinct period_month from county_lists

),

sent as (

    select
        region_code,
        period_month,
        list_sort(list(distinct list_key)) as lists_submitted,
        min(received_at) as first_received_at,
        max(received_at) as last_received_at
    from county_lists
    group by region_code, period_month

),

statistics_files as (

    select distinct period_month
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and list_key = 'statistics'

),

exemptions as (

    select * from {{ ref('stg_raw__exemptions') }}

),

list_titles as (

    select * from {{ ref('project_lists') }}

),

grid as (

    select
        regions.region_code,
        months.period_month,
        regions.region_name,
        regions.rank_group,
        coalesce(sent.lists_submitted, cast([] as varchar[])) as lists_submitted,
        sent.first_received_at,
        sent.last_received_at,
        list_filter(
            {{ required_monthly_lists() }},
            lambda required: not list_contains(coalesce(sent.lists_submitted, []), required)
        ) as missing_lists,
        region_exemption.reason as exemption_reason,
        statistics_files.period_month is not null as has_statistics_file,
        statistics_exemption.reason as statistics_exemption_reason
    from regions
    cross join months
    left join sent
        on
            regions.region_code = sent.region_code
            and months.period_month = sent.period_month
    left join exemptions as region_exemption
        on
            regions.region_code = region_exemption.region_code
            and months.period_month = region_exemption.period_month
    left join statistics_files
        on months.period_month = statistics_files.period_month
    left join exemptions as statistics_exemption
        on
            statistics_exemption.region_code = '统计局'
            and months.period_month = statistics_exemption.period_month

),

titled as (

    select
        grid.region_code,
        grid.period_month,
        string_agg(list_titles.list_title, '、' order by list_titles.list_key)
            as missing_list_titles
    from grid
    cross join unnest(grid.missing_lists) as missing (list_key)
    inner join list_titles on missing.list_key = list_titles.list_key
    group by grid.region_code, grid.period_month

),

final as (

    select
        grid.*,
        titled.missing_list_titles,
        len(grid.lists_submitted) > 0 as has_monthly_workbook,
        grid.exemption_reason is not null as is_exempted,
        len(grid.missing_lists) = 0 or grid.exemption_reason is not null as is_complete,
        -- what the project centre reads on the board: 本月未报送 / 缺少…清单
        case
            when len(grid.missing_lists) = 0 or grid.exemption_reason is not null then null
            when len(grid.lists_submitted) = 0 then '本月未报送'
            else '缺少' || titled.missing_list_titles || '清单'
        end as missing_note,
        grid.has_statistics_file or grid.statistics_exemption_reason is not null
            as is_statistics_complete
    from grid
    left join titled
        on
            grid.region_code = titled.region_code
            and grid.period_month = titled.period_month

)

select * from final
