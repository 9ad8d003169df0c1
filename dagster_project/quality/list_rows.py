"""The rows the checks look at — those of the submissions in force
(`raw.effective_submission_lists`; a superseded file is not checked) — and how a finding
in one of them becomes a `ListFailure` pointing at the cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache

import pandas as pd

from dagster_project.contract import FIELD_BY_NAME
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import COUNTY_KINDS, report_month

# A row of a list is one Excel row of one sheet of one submission.
ROW_KEY = ["submission_id", "sheet_name", "excel_row"]
LINEAGE = ["submission_id", "region_code", "period_month", "period_week", "sheet_name", "excel_row"]

# failures.report_month in SQL: a weekly list belongs to the month of its week's Thursday.
REPORT_MONTH_SQL = "cast(coalesce(t.period_month, date_trunc('month', t.period_week + 3)) as date)"


def effective_rows_sql(list_key: str, columns: list[str]) -> str:
    """A select of the rows in force of one list: lineage, the requested fields, the
    typed text (source_text), the submission kind and the month reported; `t` is the
    list. Where the file and each column are comes from sheet_places, once per sheet."""
    lineage = ", ".join(f"t.{c}" for c in LINEAGE)
    fields = "".join(f", t.{c}" for c in columns if c not in LINEAGE)
    return f"""
        select {lineage}{fields}, t.source_text, t.unreadable_fields, e.kind,
               {REPORT_MONTH_SQL} as report_month
        from raw.{list_key} t
        join raw.effective_submission_lists e
          on e.submission_id = t.submission_id and e.list_key = '{list_key}'
    """


def read_list(
    con,
    list_key: str,
    columns: list[str],
    period_month: date | None = None,
    submission_ids: list[str] | None = None,
) -> pd.DataFrame:
    """The rows in force of one list, of one month and/or some submissions."""
    sql, params = effective_rows_sql(list_key, columns) + " where true", []
    if period_month is not None:
        sql += f" and {REPORT_MONTH_SQL} = ?"
        params.append(period_month)
    if submission_ids is not None:
        sql += " and list_contains(?::varchar[], t.submission_id)"
        params.append(submission_ids)
    return con.execute(sql + " order by t.submission_id, t.sheet_name, t.excel_row", params).df()


def submission_rows(con, list_key: str, period_month: date | None = None) -> dict[str, int]:
    """{submission_id: rows} of the submissions in force of one list."""
    sql = effective_rows_sql(list_key, []) + " where true"
    params: list = []
    if period_month is not None:
        sql += f" and {REPORT_MONTH_SQL} = ?"
        params.append(period_month)
    return dict(
        con.execute(
            f"select submission_id, count(*) from ({sql}) group by 1 order by 1", params
        ).fetchall()
    )


def sheet_places(con, list_key: str) -> dict[tuple[str, str], dict]:
    """{(submission_id, sheet_name): {source_file, field_columns, header_rows}} of the
    sheets in force of one list: the file a row came from, where each field sits in its
    sheet, and the Excel rows of its header."""
    rows = con.execute(
        """
        select s.submission_id, s.sheet_name, f.original_path, s.field_columns, s.header_rows
        from raw.sheet_manifest s
        join raw.effective_submission_lists e
          on e.submission_id = s.submission_id and e.list_key = s.list_key
        join raw.file_manifest f on f.submission_id = s.submission_id
        where s.list_key = ?
        """,
        [list_key],
    ).fetchall()
    return {
        (sid, sheet): {"source_file": path, "field_columns": columns, "header_rows": header}
        for sid, sheet, path, columns, header in rows
    }


def row_failure(
    row: Mapping,
    list_key: str,
    field: str | None,
    rule: str,
    severity: str,
    hint: str,
    value: object = None,
) -> ListFailure:
    """A failure at the cell of `field` in `row` (a mapping with the columns of
    effective_rows_sql and of sheet_places). The value is the text the clerk typed when
    ingestion kept it, else the stored value as text."""
    column, header = cell_place(field, row.get("field_columns"))
    return ListFailure(
        period_month=report_month(_date(row.get("period_month")), _date(row.get("period_week"))),
        region_code=_blank_to_none(row.get("region_code")),
        source_file=str(row["source_file"]),
        sheet=_blank_to_none(row.get("sheet_name")),
        excel_row=None if _missing(row.get("excel_row")) else int(row["excel_row"]),
        column_letter=column,
        field=field,
        header=header,
        value=cell_text(field, value, row.get("source_text")),
        rule=rule,
        severity=severity,
        hint=hint,
        list_key=list_key,
        submission_id=str(row["submission_id"]),
    )


def cell_place(field: str | None, field_columns: str | None) -> tuple[str | None, str | None]:
    """(column letter, header as written) of a field in its sheet; without a record of
    the sheet's columns, no letter and the template's header."""
    where = _json(field_columns).get(field) if field else None
    if where:
        return where["column"], where["header"]
    known = FIELD_BY_NAME.get(field or "")
    return None, known.header if known else None


def cell_text(field: str | None, value: object, source_text: str | None) -> str | None:
    typed = _json(source_text).get(field) if field else None
    return str(typed) if typed is not None else value_text(value)


def value_text(value: object) -> str | None:
    """A stored value as a clerk would write it: 1200 not 1200.0, dates as 2026-10-01."""
    if _missing(value):
        return None
    if isinstance(value, float):
        return format(round(value, 4), "f").rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=4096)
def _json_cached(text: str) -> dict:
    return json.loads(text)


def _json(text: object) -> dict:
    return _json_cached(text) if isinstance(text, str) and text else {}


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA: what a DataFrame holds where SQL has NULL."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list value
        return False


def _date(value: object) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):  # pandas Timestamp too
        return value.date()
    return value  # type: ignore[return-value]


def _blank_to_none(value: object) -> str | None:
    return None if _missing(value) or value == "" else str(value)


def latest_report_month(con, list_key: str | None = None) -> date | None:
    """The latest month any county reported (one list's, or any list's)."""
    sql = f"""
        select max({REPORT_MONTH_SQL}) from raw.effective_submission_lists t
        where list_contains(?::varchar[], t.kind)
    """
    params: list = [list(COUNTY_KINDS)]
    if list_key is not None:
        sql += " and t.list_key = ?"
        params.append(list_key)
    return con.execute(sql, params).fetchone()[0]
