-- The statistics bureau's figures that count: the effective statistics file of each month,
-- one row per region (a region listed twice keeps its first row; the quality gate reports
-- the duplicate).
with

effective_files as (

    select submission_id
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and list_key = 'statistics'

),

statistics as (

    select statistics.*
    from {{ ref('stg_raw__fai_statistics') }} as statistics
    inner join effective_files
        on statistics.submission_id = effective_files.submission_id

),

deduplicated as (

    select *
    from statistics
    qualify
        row_number() over (
            partition by region_code, period_month
            order by sheet_name, excel_row
        ) = 1

)

select * from deduplicated
