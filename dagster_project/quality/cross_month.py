"""Checks that compare a submission with another period or with its own header, which a
Great Expectations suite cannot state row by row:

* 本年累计完成投资 (ytd_completed_wan) of a project must not fall from one report to the
  next within a year — it is a running total. A warning: SPEC §2 names the rule without a
  severity, and a fall is as often a correction of last month's figure as a typo now.
* The month in the header "1-X月累计完成投资" must be the month reported: a sheet copied
  from last month with its header unchanged may hold last month's totals.

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
    REPORT_MONTH_SQL,
    cell_place,
    effective_rows_sql,
    row_failure,
    value_text,
)

YTD_DECREASED = "ytd_decreased"
YTD_HEADER_MONTH = "ytd_header_month"
RULES = (YTD_DECREASED, YTD_HEADER_MONTH)
YTD = "ytd_completed_wan"
# Amounts converted from 亿元 carry float noise; 0.005万元 is 50元.
_TOLERANCE_WAN = 0.005


def cross_month_failures(
    con, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    return ytd_decreases(con, period_month, lists) + ytd_header_mismatches(con, period_month, lists)


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


def ytd_header_mismatches(
    con, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    """Monthly sheets whose "1-X月" header names another month than the period. Weekly
    lists are left alone: their YTD may rightly run to the last closed month."""
    keys = [lst.key for lst in LISTS if lists is None or lst.key in lists]
    sql = """
        select s.submission_id, s.sheet_name, s.list_key, s.ytd_header_month, s.header_rows,
               s.field_columns, t.region_code, t.period_month, t.period_week,
               t.original_path as source_file
        from raw.sheet_manifest s
        join raw.effective_submission_lists e
          on e.submission_id = s.submission_id and e.list_key = s.list_key
        join raw.file_manifest t on t.submission_id = s.submission_id
        where s.status = 'loaded'
          and list_contains(?::varchar[], s.list_key)
          and t.period_month is not null
          and s.ytd_header_month is not null
          and s.ytd_header_month <> month(t.period_month)
    """
    params: list = [keys]
    if period_month is not None:
        sql += f" and {REPORT_MONTH_SQL} = ?"
        params.append(period_month)
    failures = []
    for row in query_dicts(con, sql + " order by source_file, s.sheet_name", params):
        month = row["period_month"]
        _column, header = cell_place(YTD, row["field_columns"])
        hint = (
            f"表头为“1-{row['ytd_header_month']}月”，本期为{month.year}年{month.month}月，"
            f"请将表头改为“1-{month.month}月累计完成投资”，并填报截至{month.month}月底的累计数"
        )
        # The header's first row: where the clerk reads the column's name.
        first_header_row = int(str(row["header_rows"]).split("-")[0])
        failures.append(
            row_failure(
                {**row, "excel_row": first_header_row},
                row["list_key"],
                YTD,
                YTD_HEADER_MONTH,
                WARN,
                hint,
                header,
            )
        )
    return failures


def _period_label(period: date, weekly: bool) -> str:
    return f"{period.isoformat()}当周" if weekly else f"{period.year}年{period.month}月"
