"""Checks that compare a submission with another period, which a Great Expectations suite
cannot state row by row:

* 本年累计完成投资 (ytd_completed_wan) of a project must not fall from one report to the
  next within a year — it is a running total. A warning: SPEC §2 names the rule without a
  severity, and a fall is as often a correction of last month's figure as a typo now.

(A monthly file whose "1-X月" header or title names another month than its folder is
refused at parsing, parse/period.py.)

Only submissions in force are compared (a superseded file is neither checked nor used as
the earlier figure).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from dagster_project.contract import LISTS
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import WARN, query_dicts
from dagster_project.quality.list_rows import (
    effective_rows_sql,
    row_failure,
    value_text,
)

YTD_DECREASED = "ytd_decreased"
RULES = (YTD_DECREASED,)
YTD = "ytd_completed_wan"
# Amounts converted from 亿元 carry float noise; 0.005万元 is 50元.
_TOLERANCE_WAN = 0.005


def cross_month_failures(
    con, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    return ytd_decreases(con, period_month, lists)


def ytd_decreases(
    con, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    """Rows whose YTD is below the same project's in the previous report of the same
    year, submitter and cadence (a weekly list is compared week with week). A project is
    known by its 项目代码, or by its name when it has none."""
    failures: list[ListFailure] = []
    for lst in LISTS:
        if YTD not in lst.columns or (lists is not None and lst.key not in lists):
            continue
        rows = effective_rows_sql(lst.key, ["project_code", "project_name", YTD])
        sql = f"""
            with listed as ({rows}),
            ordered as (
                select *,
                       lag({YTD}) over project_year as previous_ytd,
                       lag(coalesce(period_month, period_week)) over project_year
                           as previous_period
                from listed
                where {YTD} is not null and coalesce(project_code, project_name) is not null
                window project_year as (
                    partition by kind, region_code, coalesce(project_code, project_name),
                                 year(report_month)
                    order by coalesce(period_month, period_week), excel_row
                )
            )
            select o.*, f.original_path as source_file, s.field_columns
            from ordered o
            join raw.file_manifest f on f.submission_id = o.submission_id
            left join raw.sheet_manifest s
              on s.submission_id = o.submission_id and s.sheet_name = o.sheet_name
            where o.previous_ytd is not null
              and coalesce(o.period_month, o.period_week) > o.previous_period
              and o.{YTD} < o.previous_ytd - {_TOLERANCE_WAN}
        """
        params: list = []
        if period_month is not None:
            sql += " and o.report_month = ?"
            params.append(period_month)
        for row in query_dicts(
            con, sql + " order by source_file, o.sheet_name, o.excel_row", params
        ):
            earlier = _period_label(row["previous_period"], weekly=row["period_month"] is None)
            hint = (
                f"本年累计完成投资为{value_text(row[YTD])}万元，少于{earlier}填报的"
                f"{value_text(row['previous_ytd'])}万元；本年累计数只增不减，"
                "请核对本期或此前填报的数据"
            )
            failures.append(row_failure(row, lst.key, YTD, YTD_DECREASED, WARN, hint, row[YTD]))
    return failures


def _period_label(period: date, weekly: bool) -> str:
    return f"{period.isoformat()}当周" if weekly else f"{period.year}年{period.month}月"
