-- 已开工未入统 (二(二), 三(二) 周调度): the weekly returns, one row per project and ISO week,
-- to follow each started project until the statistics bureau takes it in (入统).
with

weekly_rows as (

    select *
    from {{ ref('int_project_rows_identified') }}
    where list_key = 'unstated' and period_week is not null
    qualify
        row_number() over (
            partition by project_key, period_week
            order by region_code, sheet_name, excel_row
        ) = 1

),

final as (

    select
        ---------- ids
        project_key,
        period_week,
        region_code,
        resolved_project_code as project_code,

        ---------- project
        project_name,
        project_owner,
        responsible_person,
        total_investment_wan,
        ytd_completed_wan,
        unstated_reason,

        ---------- 入统 tracking, as of the Sunday that ends the week
        actual_start_month,
        case
            when actual_start_month <= period_week + 6
                then date_diff('day', actual_start_month, period_week + 6) // 7
        end as weeks_since_start,
        expected_stats_month,
        stats_entry_month,
        coalesce(in_stats, false)
        or coalesce(stats_entry_month <= period_week + 6, false) as is_entered,
        not (
            coalesce(in_stats, false)
            or coalesce(stats_entry_month <= period_week + 6, false)
        )
        and coalesce(expected_stats_month < date_trunc('month', period_week), false)
            as is_past_expected_entry

    from weekly_rows

)

select * from final
