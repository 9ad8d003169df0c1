"""One data-quality failure: the exact place in a county's workbook, the rule it broke and
a Chinese fix hint (修改建议). The shape is the `fct_dq_failures` contract (SPEC §3) plus
`column_letter` and `header`, so a report can point at the very cell.

Ingestion already knows two kinds of failure before any check runs: cells that could not
be read (raw.quarantine) and files that were refused (raw.file_manifest). Both are
mapped here, so the checks and the county reports see them in the same form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from dagster_project.contract import STATISTICS_FILE_PATTERN
from dagster_project.parse.submitter import RegionIndex

ERROR = "error"
WARN = "warn"
SEVERITIES = (ERROR, WARN)

UNREADABLE_CELL = "unreadable_cell"
REJECTED_FILE = "rejected_file"

COUNTY_KINDS = ("county_monthly", "county_weekly")
_COLUMN = re.compile(r"^[A-Z]{1,3}$")


@dataclass(frozen=True)
class Failure:
    # first day of the reporting month; None for a file outside any period folder
    period_month: date | None
    region_code: str | None  # None: the file's submitter could not be recognised
    source_file: str  # path relative to raw/, with /
    sheet: str | None
    excel_row: int | None  # as Excel shows it; None for a problem with the whole file
    column_letter: str | None  # None for a problem with the whole row
    field: str | None  # canonical field name
    header: str | None  # the header text as written in the file
    value: str | None  # the cell text as typed
    rule: str
    severity: str  # error | warn
    hint: str | None  # 修改建议

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.column_letter is not None and not _COLUMN.match(self.column_letter):
            raise ValueError(f"not a column letter: {self.column_letter!r}")

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @classmethod
    def from_row(cls, row: Mapping) -> Failure:
        """A failure from a mapping with the contract's column names (a DuckDB row as a
        dict, a DataFrame record); `sheet_name` is accepted for `sheet`, and the two
        columns beyond the contract may be absent."""

        def get(key):
            value = row.get(key)
            # A DataFrame record holds NaN / NaT where SQL has NULL; neither equals itself.
            return None if value is None or value != value else value

        column = _text(get("column_letter"))
        excel_row = get("excel_row")
        value = get("value")
        period = get("period_month")
        return cls(
            period_month=None if period is None else _as_date(period),
            region_code=_text(get("region_code")),
            source_file=str(row["source_file"]),
            sheet=_text(get("sheet") if "sheet" in row else get("sheet_name")),
            excel_row=None if excel_row is None else int(excel_row),
            column_letter=column.upper() if column else None,
            field=_text(get("field")),
            header=_text(get("header")),
            value=None if value is None else str(value),
            rule=str(row["rule"]),
            severity=str(row["severity"]),
            hint=_text(get("hint")),
        )


def is_for_the_centre(failure: Failure) -> bool:
    """A failure in the statistics bureau's file (or its absence) is the project centre's
    to resolve with the bureau, never a county's: no county report carries it."""
    return bool(STATISTICS_FILE_PATTERN.search(PurePosixPath(failure.source_file).name))


def report_month(period_month: date | None, period_week: date | None) -> date | None:
    """The month a submission is reported under. A weekly list belongs to the month of its
    week's Thursday (the ISO rule), so a week spanning two months is reported once."""
    if period_month is not None:
        return period_month.replace(day=1)
    if period_week is not None:
        return (period_week + timedelta(days=3)).replace(day=1)
    return None


def quarantine_failures(con, period_month: date | None = None) -> list[Failure]:
    """Quarantined cells of the submissions in force (a superseded file's problems were
    fixed by its replacement), as `unreadable_cell` failures whose hint is the reason and
    whose severity is the contract's for the field."""
    rows = query_dicts(
        con,
        f"""
        select q.period_month, q.period_week, q.region_code, q.source_file,
               q.sheet_name as sheet, q.excel_row, q.column_letter, q.field, q.header,
               q.value, '{UNREADABLE_CELL}' as rule, coalesce(q.severity, '{ERROR}') as severity,
               q.reason as hint
        from raw.quarantine q
        join raw.effective_submission_lists e
          on e.submission_id = q.submission_id
         and e.list_key = coalesce(q.list_key, 'statistics')
        order by q.source_file, q.sheet_name, q.excel_row
        """,
    )
    return _in_month(rows, period_month)


def _in_month(rows: list[dict], period_month: date | None) -> list[Failure]:
    """Failures from rows that carry period_month and period_week, each under the month
    it is reported in."""
    failures = []
    for row in rows:
        month = report_month(row.pop("period_month"), row.pop("period_week"))
        if period_month is None or month == period_month:
            failures.append(Failure.from_row({**row, "period_month": month}))
    return failures


def rejected_file_failures(con, period_month: date | None = None) -> list[Failure]:
    """Refused files as file-level failures (no sheet, no row), the refusal reason as hint.

    A refused file has no recognised submitter, so it is attributed to the one region its
    file name names (code or name), if any: that county is told its file was refused. It
    is an error when that region has nothing loaded for the period, since then its
    figures are missing; when another of its files was loaded (a stamped PDF scan sent
    beside the workbook, say) it is a warning. A file naming no region, or several, is a
    warning with no region: no county report can carry it, and the project centre sees it
    among the unattributed failures. Files outside a period folder have no month to be
    reported under; ingestion's own summary lists them.
    """
    index = RegionIndex(query_dicts(con, "select * from raw.regions"))
    loaded = {
        (kind, region, report_month(pm, pw))
        for kind, region, pm, pw in con.execute(
            """
            select kind, region_code, period_month, period_week from raw.file_manifest
            where status = 'loaded' and region_code is not null
            """
        ).fetchall()
    }
    rows = query_dicts(
        con,
        """
        select kind, region_code, period_month, period_week, original_path as source_file,
               file_name, reason
        from raw.file_manifest
        where status = 'rejected'
          and (period_month is not null or period_week is not null)
        order by original_path
        """,
    )
    for row in rows:
        kind, file_name, reason = row.pop("kind"), row.pop("file_name"), row.pop("reason")
        month = report_month(row["period_month"], row["period_week"])
        if row["region_code"] is None and kind in COUNTY_KINDS:
            named = index.from_file_name(PurePosixPath(file_name).stem)
            row["region_code"] = next(iter(named)) if len(named) == 1 else None
        other_loaded = (kind, row["region_code"], month) in loaded
        blocking = row["region_code"] is not None and not other_loaded
        row["rule"], row["severity"] = REJECTED_FILE, ERROR if blocking else WARN
        row["hint"] = (reason or "文件未被接收，请按统一模板重新报送") + (
            "（本期已采用同一单位的其他报送文件）" if other_loaded else ""
        )
    return _in_month(rows, period_month)


def warehouse_failures(con, period_month: date | None = None) -> list[Failure]:
    """Every failure the warehouse knows of. `fct_dq_failures` holds them all once dbt has
    built it (the quarantine and refused files included, SPEC §4); before that, only what
    ingestion found."""
    found = con.execute(
        """
        select table_schema from information_schema.tables
        where table_name = 'fct_dq_failures'
        order by table_schema = 'marts' desc, table_schema
        limit 1
        """
    ).fetchone()
    if found is None:
        return quarantine_failures(con, period_month) + rejected_file_failures(con, period_month)
    rows = query_dicts(con, f'select * from "{found[0]}".fct_dq_failures')
    failures = [Failure.from_row(row) for row in rows]
    return [f for f in failures if period_month is None or f.period_month == period_month]


def query_dicts(con, sql: str, params: list | tuple = ()) -> list[dict]:
    """The rows of a query as dicts by column name."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
