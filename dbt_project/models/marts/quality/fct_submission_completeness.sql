-- 报送情况 (SPEC §4 gate (b), the progress the project centre watches): for each
-- submitter and month with county submissions, what it sent and when, what is missing,
-- any exemption, and the failures outstanding. A month is published only when every
-- row of it is complete and the statistics bureau's file is there (or exempted).
with

completeness as (

    select * from {{ ref('int_submission_completeness') }}

),

failures as (

    select
        region_code,
        period_month,
        count(*) filter (where severity = 'error') as error_count,
        count(*) filter (where severity = 'warn') as warning_count
    from {{ ref('int_dq_failures_unioned') }}
    where region_code is not null
    group by region_code, period_month

),

final as (

    select
        ---------- ids
        completeness.region_code,
        completeness.period_month,
        completeness.region_name,
        completeness.rank_group,

        ---------- what was sent
        completeness.has_monthly_workbook,
        completeness.lists_submitted,
        completeness.first_received_at,
        completeness.last_received_at,
        completeness.missing_lists,

        ---------- exemption
        completeness.is_exempted,
        completeness.exemption_reason,

        ---------- verdict
        completeness.is_complete,
        completeness.missing_note,
        coalesce(failures.error_count, 0) as error_count,
        coalesce(failures.warning_count, 0) as warning_count,

        ---------- the statistics bureau's file of the month
        completeness.has_statistics_file,
        completeness.is_statistics_complete

    from completeness
    left join failures
        on
            completeness.region_code = failures.region_code
            and completeness.period_month = failures.period_month

)

select * from final
