"""What the portal reads, and only ever for reading:

* the working warehouse (raw.manifest, marts.fct_dq_failures, fct_submission_completeness)
  for what became of each submission — opened read-only under the shared warehouse lock
  for a moment; while a run writes, the last answer is shown with its time;
* the analysts' snapshot (published.duckdb) for the region's own rows in the published
  marts;
* out/reports/<month>/<code>_<name>/ for the county reports of the nightly run.

Every function takes the region it may show; a county's never returns another's rows.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.orchestration.warehouse_lock import WarehouseBusy, warehouse_lock
from dagster_project.publish.county_report.run import REPORTS_DIR
from dagster_project.publish.snapshot import open_snapshot
from dagster_project.settings import BEIJING

LOCK_WAIT_SECONDS = 2.0
# The marts a county may read its rows of (each has region_code), with their names.
PUBLISHED_TABLES = {
    "dim_project": "项目库（项目维表）",
    "fct_project_monthly": "项目月度进度",
    "fct_early_warnings": "预警",
    "fct_issue_ledger": "问题台账",
    "fct_special_bonds": "专项债券项目",
    "fct_region_monthly": "本地区月度指标",
    "fct_dq_failures": "数据质量问题",
}
MAX_ROWS_SHOWN = 500
_MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class WarehouseState:
    """What the warehouse said, and when it was read (None: never read)."""

    manifest: list[dict]
    failures: dict[str, tuple[int, int]]  # submission_id -> (errors, warnings)
    list_failures: dict[tuple[str, str], tuple[int, int]]  # (submission_id, list_key) -> …
    completeness: list[dict]
    lists: list[dict]  # raw.effective_submission_lists
    read_at: datetime | None
    busy: bool = False  # a run held the warehouse: this is the last answer


_EMPTY = WarehouseState([], {}, {}, [], [], None)


class WarehouseReader:
    """The working warehouse, read-only and briefly, with the last answer kept."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self._last = _EMPTY
        self._lock = threading.Lock()

    def state(self) -> WarehouseState:
        if not self.db_path.is_file():
            return _EMPTY
        with self._lock:
            try:
                with warehouse_lock(
                    self.db_path, "xmk serve (read)", write=False, timeout=LOCK_WAIT_SECONDS
                ):
                    con = duckdb.connect(str(self.db_path), read_only=True)
                    try:
                        self._last = _read_state(con)
                    finally:
                        con.close()
            except (WarehouseBusy, duckdb.IOException):
                return WarehouseState(**{**self._last.__dict__, "busy": True})
            return self._last


def _read_state(con) -> WarehouseState:
    tables = {
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    manifest = _dicts(con, "select * from raw.manifest") if "raw.manifest" in tables else []
    failures: dict[str, tuple[int, int]] = {}
    list_failures: dict[tuple[str, str], tuple[int, int]] = {}
    if "marts.fct_dq_failures" in tables:
        for sid, list_key, errors, warnings in con.execute(
            "select submission_id, list_key, count(*) filter (where severity = 'error'), "
            "count(*) filter (where severity = 'warn') from marts.fct_dq_failures "
            "where submission_id is not null group by all"
        ).fetchall():
            list_failures[(sid, list_key)] = (errors, warnings)
            before = failures.get(sid, (0, 0))
            failures[sid] = (before[0] + errors, before[1] + warnings)
    completeness = (
        _dicts(con, "select * from marts.fct_submission_completeness")
        if "marts.fct_submission_completeness" in tables
        else []
    )
    lists = (
        _dicts(con, "select * from raw.effective_submission_lists")
        if "raw.effective_submission_lists" in tables
        else []
    )
    return WarehouseState(
        manifest, failures, list_failures, completeness, lists, datetime.now(BEIJING)
    )


def _dicts(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# --------------------------------------------------------------------------- statuses


def submission_status(entry: dict | None, failures: dict[str, tuple[int, int]]) -> tuple[str, str]:
    """(code, 中文) of a manifest entry: loaded / rejected / superseded / errors; None: not
    read by a run yet."""
    if entry is None:
        return "pending", "已报送，待夜间入库"
    if entry["status"] == "rejected":
        return "rejected", "被拒收"
    if entry.get("superseded_by") or not entry.get("is_effective"):
        return "superseded", "已被后报的文件替代"
    errors, _ = failures.get(entry["submission_id"], (0, 0))
    if errors:
        return "errors", f"已入库，{errors} 项错误待修改"
    return "loaded", "已入库"


def region_manifest(state: WarehouseState, region_code: str | None) -> list[dict]:
    """The manifest entries of one region (None: all), newest first."""
    rows = [m for m in state.manifest if region_code is None or m["region_code"] == region_code]
    return sorted(rows, key=lambda m: m["received_at"] or datetime.min, reverse=True)


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ReportFile:
    month: str  # 2026-10
    region_code: str
    name: str
    size: int
    modified: datetime


def reports(out_dir: Path, region_code: str | None) -> list[ReportFile]:
    """The nightly run's county reports of one region (None: all), newest month first."""
    base = out_dir / REPORTS_DIR
    found = []
    if base.is_dir():
        for month_dir in base.iterdir():
            if not (month_dir.is_dir() and _MONTH_FOLDER.match(month_dir.name)):
                continue
            for region_dir in month_dir.iterdir():
                code = region_dir.name.split("_", 1)[0]
                if not region_dir.is_dir() or (region_code is not None and code != region_code):
                    continue
                for path in sorted(region_dir.iterdir()):
                    if path.is_file() and path.suffix in (".xlsx", ".html"):
                        stat = path.stat()
                        modified = datetime.fromtimestamp(stat.st_mtime, BEIJING)
                        found.append(
                            ReportFile(month_dir.name, code, path.name, stat.st_size, modified)
                        )
    return sorted(found, key=lambda r: (r.month, r.region_code, r.name), reverse=True)


def report_path(out_dir: Path, region_code: str | None, month: str, name: str) -> Path | None:
    """The file of a report the region may read, else None (any other region's: None)."""
    for r in reports(out_dir, region_code):
        if r.month == month and r.name == name:
            for region_dir in (out_dir / REPORTS_DIR / month).iterdir():
                if region_dir.name.split("_", 1)[0] == r.region_code:
                    path = region_dir / name
                    if path.is_file():
                        return path
    return None


# --------------------------------------------------------------------------- published rows


def published_rows(
    published_db: Path, table: str, region_code: str | None, month: date | None = None
) -> tuple[list[str], list[tuple], int] | None:
    """(columns, rows, total) of one published mart for a region (None: every region),
    at most MAX_ROWS_SHOWN rows; None when there is no snapshot or no such table."""
    if table not in PUBLISHED_TABLES or not published_db.is_file():
        return None
    con = open_snapshot(published_db)
    try:
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
        ]
        if not columns or "region_code" not in columns:
            return None
        where, params = ["1 = 1"], []
        if region_code is not None:
            where.append("region_code = ?")
            params.append(region_code)
        if month is not None and "period_month" in columns:
            where.append("period_month = ?")
            params.append(month)
        condition = " and ".join(where)
        total = con.execute(f"select count(*) from marts.{table} where {condition}", params)
        count = total.fetchone()[0]
        order = "period_month desc, " if "period_month" in columns else ""
        rows = con.execute(
            f"select * from marts.{table} where {condition} order by {order}1 "
            f"limit {MAX_ROWS_SHOWN}",
            params,
        ).fetchall()
        return columns, rows, count
    finally:
        con.close()
