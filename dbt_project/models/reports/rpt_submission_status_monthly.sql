-- 报送情况 (三(三) 通报, SPEC §4 gate (b)): per submitter and month with county submissions,
-- whether its month is complete, what is missing, any exemption, when its effective
-- monthly files arrived against the deadline (var submission_day of the following
-- month), and its data-quality failures — fct_submission_completeness with the deadline.
with

completeness as (

    select * from {{ ref('fct_submission_completeness') }}

),

deadlines as (

    select
        *,
        make_date(
            year(period_month + interval 1 month),
            month(period_month + interval 1 month),
            {{ var('submission_day') }}
        ) as submission_deadline
    from completeness

),

final as (

    select
        deadlines.period_month,
        deadlines.rank_group,
        deadlines.region_code,
        deadlines.region_name,
        deadlines.is_complete,
        deadlines.missing_note,
        deadlines.is_exempted as is_exempt,
        deadlines.exemption_reason,
        deadlines.lists_submitted,
        deadlines.first_received_at,
        deadlines.last_received_at,
        deadlines.submission_deadline,
        -- as the portal's board has it: the effective files are the ones that count, late
        -- when the last of them came after the deadline day (local time, as received),
        -- never when exempted; NULL when nothing came
        not deadlines.is_exempted
        and cast(deadlines.last_received_at as date) > deadlines.submission_deadline as is_late,
        deadlines.error_count,
        deadlines.warning_count
    from deadlines

)

select * from final
