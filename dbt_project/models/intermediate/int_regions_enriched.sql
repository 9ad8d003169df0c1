-- The regions reference in force (raw.regions) with what the warehouse knows of each
-- submitter: its aliases as a list and the months it has submitted.
with

regions as (

    select * from {{ ref('stg_raw__regions') }}

),

county_submissions as (

    select
        region_code,
        min(period_month) as first_submission_month,
        max(period_month) as last_submission_month,
        count(distinct period_month) as months_submitted
    from {{ ref('stg_raw__submission_lists') }}
    where is_effective and submission_kind = 'county_monthly'
    group by region_code

),

final as (

    select
        regions.region_code,
        regions.region_name,
        regions.region_kind,
        regions.rank_group,
        regions.parent_code,
        regions.contact_email,
        case
            when nullif(trim(regions.aliases), '') is null then cast([] as varchar[])
            else string_split_regex(trim(regions.aliases, '| '), '\s*\|+\s*')
        end as aliases,
        county_submissions.first_submission_month,
        county_submissions.last_submission_month,
        coalesce(county_submissions.months_submitted, 0) as months_submitted
    from regions
    left join county_submissions
        on regions.region_code = county_submissions.region_code

)

select * from final
