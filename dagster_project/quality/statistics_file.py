"""Checks on the statistics bureau's file (SPEC §4), for the project centre — the
bureau's figures are not a county's to correct, so these never reach a county report:

* FAI YTD (固定资产投资本年累计) must grow within a year: flat or falling against the
  region's previous month of the same year warns;
* a given 增速 must agree with the absolutes (本年累计 / 上年同期 − 1) within
  0.1 percentage point, the bureau's rounding;
* every region of the reference is in the month's file.

Only the statistics files in force are checked (a re-sent file replaces the earlier).
"""

from __future__ import annotations

from datetime import date

from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import WARN, query_dicts
from dagster_project.quality.list_rows import row_failure, value_text

YTD_NOT_GROWING = "statistics_ytd_not_growing"
GROWTH_MISMATCH = "statistics_growth_mismatch"
REGION_MISSING = "statistics_region_missing"
RULES = (YTD_NOT_GROWING, GROWTH_MISMATCH, REGION_MISSING)
LIST_KEY = "statistics"
_GROWTH_TOLERANCE = 0.001  # 增速 is published to 0.1 %

_ROWS = """
    select t.*, e.kind, f.original_path as source_file, s.field_columns,
           cast(null as date) as period_week
    from raw.statistics t
    join raw.effective_submission_lists e
      on e.submission_id = t.submission_id and e.list_key = 'statistics'
    join raw.file_manifest f on f.submission_id = t.submission_id
    left join raw.sheet_manifest s
      on s.submission_id = t.submission_id and s.sheet_name = t.sheet_name
"""


def statistics_failures(con, period_month: date | None = None) -> list[ListFailure]:
    found = ytd_not_growing(con) + growth_mismatches(con) + regions_missing(con)
    return [f for f in found if period_month is None or f.period_month == period_month]


def ytd_not_growing(con) -> list[ListFailure]:
    sql = f"""
        with rows as ({_ROWS}),
        ordered as (
            select *,
                   lag(fai_ytd_wan) over region_year as previous_ytd,
                   lag(period_month) over region_year as previous_month
            from rows
            where fai_ytd_wan is not null
            window region_year as (
                partition by region_code, year(period_month) order by period_month
            )
        )
        select * from ordered
        where previous_ytd is not null and fai_ytd_wan <= previous_ytd
        order by period_month, region_code
    """
    failures = []
    for row in query_dicts(con, sql):
        movement = "持平" if row["fai_ytd_wan"] == row["previous_ytd"] else "下降"
        previous = row["previous_month"]
        hint = (
            f"{row['region']}固定资产投资本年累计{value_text(row['fai_ytd_wan'])}万元，"
            f"较{previous.year}年{previous.month}月的{value_text(row['previous_ytd'])}万元"
            f"{movement}；本年累计数应逐月增长，请与市统计局核实"
        )
        failures.append(
            row_failure(
                row, LIST_KEY, "fai_ytd_wan", YTD_NOT_GROWING, WARN, hint, row["fai_ytd_wan"]
            )
        )
    return failures


def growth_mismatches(con) -> list[ListFailure]:
    sql = f"""
        with rows as ({_ROWS})
        select *, fai_ytd_wan / fai_prev_ytd_wan - 1 as computed_growth
        from rows
        where fai_growth is not null and fai_ytd_wan is not null and fai_prev_ytd_wan > 0
          and abs(fai_ytd_wan / fai_prev_ytd_wan - 1 - fai_growth) > {_GROWTH_TOLERANCE}
        order by period_month, region_code
    """
    failures = []
    for row in query_dicts(con, sql):
        hint = (
            f"{row['region']}增速填报为{row['fai_growth'] * 100:.1f}%，按本年累计"
            f"{value_text(row['fai_ytd_wan'])}万元与上年同期{value_text(row['fai_prev_ytd_wan'])}"
            f"万元计算为{row['computed_growth'] * 100:.1f}%；擂台按绝对数计算增速，请与市统计局核实"
        )
        value = f"{row['fai_growth'] * 100:.1f}%"
        failures.append(
            row_failure(row, LIST_KEY, "fai_growth", GROWTH_MISMATCH, WARN, hint, value)
        )
    return failures


def regions_missing(con) -> list[ListFailure]:
    sql = """
        select e.submission_id, e.period_month, r.region_code, r.region_name,
               f.original_path as source_file, cast(null as date) as period_week,
               cast(null as varchar) as sheet_name, cast(null as integer) as excel_row
        from raw.effective_submission_lists e
        join raw.file_manifest f on f.submission_id = e.submission_id
        cross join raw.regions r
        where e.list_key = 'statistics'
          and not exists (
              select 1 from raw.statistics t
              where t.submission_id = e.submission_id and t.region_code = r.region_code
          )
        order by e.period_month, r.region_code
    """
    failures = []
    for row in query_dicts(con, sql):
        hint = (
            f"统计局本月数据中没有{row['region_name']}，该地区的增速、民间投资占比等指标将为空；"
            "请与市统计局核实，或在区划表中补充统计局使用的名称（aliases）"
        )
        failures.append(
            row_failure(row, LIST_KEY, "region", REGION_MISSING, WARN, hint, row["region_name"])
        )
    return failures
