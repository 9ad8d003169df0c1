-- A failure means fct_issue_ledger measured an issue against something other than the last
-- day of its report month (for example the day the pipeline ran): a re-run next year would
-- give different days_open, overdue or escalation.
select
    issue_key,
    period_month,
    as_of_date,
    days_open
from {{ ref('fct_issue_ledger') }}
where
    as_of_date <> last_day(period_month)
    or (is_open and opened_on <= as_of_date and days_open <> date_diff('day', opened_on, as_of_date))
