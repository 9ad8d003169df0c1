"""已开工未入统 周调度 (二(二), 三(二)): every Monday, each county gets the list of its
projects that have started but are not yet in the fixed-asset-investment statistics, as
reported in the latest weekly returns, to chase them into the statistics (入统).

`<out>/weekly/<YYYY-Www>/<code>_<name>_已开工未入统调度.xlsx`, one per region with such
projects in that week, read from `marts.fct_unstated_weekly`.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dagster_project.assets.ingestion import raw_asset_key
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.publish.county_reports import safe_file_name, write_text_cell
from dagster_project.resources import XmkSettings

WEEKLY_GROUP = "weekly"
WEEKLY_LISTS_KEY = dg.AssetKey(["weekly", "unstated_dispatch_lists"])
UNSTATED_WEEKLY_KEY = dg.AssetKey(["marts", "fct_unstated_weekly"])
FILE_SUFFIX = "_已开工未入统调度.xlsx"

# (header, column of fct_unstated_weekly, width)
COLUMNS = (
    ("项目代码", "project_code", 28),
    ("项目名称", "project_name", 36),
    ("项目法人", "project_owner", 28),
    ("责任人", "responsible_person", 14),
    ("总投资（万元）", "total_investment_wan", 14),
    ("本年累计完成投资（万元）", "ytd_completed_wan", 16),
    ("实际开工月份", "actual_start_month", 12),
    ("开工以来周数", "weeks_since_start", 12),
    ("预计入统月份", "expected_stats_month", 12),
    ("是否已过预计入统月份", "is_past_expected_entry", 12),
    ("未入统原因", "unstated_reason", 40),
)
_MONTH_COLUMNS = {"actual_start_month", "expected_stats_month"}


class WeeklyListsConfig(dg.Config):
    week: str | None = None  # "2026-W43"; default: the latest week with returns


@dataclass(frozen=True)
class RegionList:
    region_code: str
    region_name: str
    week: date  # the ISO week's Monday
    rows: list[dict]

    @property
    def past_expected(self) -> int:
        return sum(bool(r["is_past_expected_entry"]) for r in self.rows)


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week(label: str) -> date:
    year, week = label.upper().split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def read_region_lists(con, week: date | None) -> tuple[date | None, list[RegionList]]:
    """The started-but-unstated projects of `week` (default: the latest week reported),
    grouped by region; the longest-waiting projects first."""
    if week is None:
        week = con.execute(f"select max(period_week) from {_relation()}").fetchone()[0]
        if week is None:
            return None, []
    names = dict(con.execute("select region_code, region_name from raw.regions").fetchall())
    columns = ", ".join(["region_code", *(c for _, c, _ in COLUMNS)])
    cur = con.execute(
        f"""select {columns} from {_relation()}
            where period_week = ? and not is_entered
            order by region_code, is_past_expected_entry desc,
                     weeks_since_start desc nulls last, total_investment_wan desc nulls last,
                     project_name""",
        [week],
    )
    names_of = [d[0] for d in cur.description]
    by_region: dict[str, list[dict]] = {}
    for values in cur.fetchall():
        row = dict(zip(names_of, values, strict=True))
        by_region.setdefault(row["region_code"], []).append(row)
    lists = [
        RegionList(code, names.get(code, code), week, rows)
        for code, rows in sorted(by_region.items())
    ]
    return week, lists


def _relation() -> str:
    return ".".join(UNSTATED_WEEKLY_KEY.path)


def file_name(region_list: RegionList) -> str:
    return safe_file_name(f"{region_list.region_code}_{region_list.region_name}") + FILE_SUFFIX


_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_LATE_FILL = PatternFill("solid", fgColor="FFFFE4E4")
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_region_list(path: Path, region_list: RegionList) -> None:
    monday = region_list.week
    year, week, _ = monday.isocalendar()
    wb = Workbook()
    ws = wb.active
    ws.title = "已开工未入统"
    title = (
        f"{region_list.region_name}已开工未入统项目调度清单（{year}年第{week}周，"
        f"{monday:%Y-%m-%d}至{monday + timedelta(days=6):%Y-%m-%d}）"
    )
    write_text_cell(ws, 1, 1, title).font = Font(bold=True, size=14)
    write_text_cell(
        ws,
        2,
        1,
        f"共{len(region_list.rows)}个项目已开工尚未入统，其中{region_list.past_expected}个"
        "已过预计入统月份（标红），请逐项落实入统。",
    )
    header_row = 4
    for col, (header, _, width) in enumerate(COLUMNS, start=2):
        cell = write_text_cell(ws, header_row, col, header)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    cell = write_text_cell(ws, header_row, 1, "序号")
    cell.font, cell.fill = _BOLD, _HEADER_FILL
    for i, row in enumerate(region_list.rows, start=1):
        r = header_row + i
        ws.cell(r, 1, i)
        for col, (_, field, _) in enumerate(COLUMNS, start=2):
            write_text_cell(ws, r, col, _cell_value(field, row[field])).alignment = _WRAP
        if row["is_past_expected_entry"]:
            for col in range(1, len(COLUMNS) + 2):
                ws.cell(r, col).fill = _LATE_FILL
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)


def _cell_value(field: str, value):
    if value is None:
        return None
    if field in _MONTH_COLUMNS:
        return f"{value.year}年{value.month}月"
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_week(out_dir: Path, week: date, lists: list[RegionList]) -> list[Path]:
    """Write the week's lists; a list written earlier for that week whose region no
    longer has such projects (a corrected return) is removed, so the folder never holds
    a stale list."""
    folder = out_dir / "weekly" / week_label(week)
    written = []
    for region_list in lists:
        path = folder / file_name(region_list)
        write_region_list(path, region_list)
        written.append(path)
    if folder.is_dir():
        for old in folder.glob(f"*{FILE_SUFFIX}"):
            if old not in written:
                old.unlink()
    return written


@dg.asset(
    key=WEEKLY_LISTS_KEY,
    deps=[UNSTATED_WEEKLY_KEY, raw_asset_key("regions")],
    group_name=WEEKLY_GROUP,
    kinds={"python", "excel"},
    # Reads the warehouse: it must not open it while another step writes.
    pool="duckdb",
    description="已开工未入统项目周调度清单：每个地区一份 .xlsx，列出最新一周已开工尚未入统的项目 "
    "(each county's weekly list of its started projects not yet in the statistics), "
    "out/weekly/<YYYY-Www>/",
)
def unstated_dispatch_lists(
    context: dg.AssetExecutionContext, settings: XmkSettings, config: WeeklyListsConfig
) -> dg.MaterializeResult:
    paths = settings.paths()
    week = parse_week(config.week) if config.week else None
    with warehouse_lock(
        paths.warehouse_db,
        f"weekly lists ({context.run.run_id})",
        write=False,
        log=context.log.info,
    ):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
        try:
            week, lists = read_region_lists(con, week)
        finally:
            con.close()
    if week is None:
        context.log.info("no weekly 已开工未入统 returns yet: nothing to write")
        return dg.MaterializeResult(metadata={"files": 0})
    written = write_week(paths.out_dir, week, lists)
    return dg.MaterializeResult(
        metadata={
            "week": week_label(week),
            "folder": dg.MetadataValue.path(str(paths.out_dir / "weekly" / week_label(week))),
            "files": len(written),
            "projects": sum(len(rl.rows) for rl in lists),
            "past_expected_entry": sum(rl.past_expected for rl in lists),
            "by_region": {f"{rl.region_code} {rl.region_name}": len(rl.rows) for rl in lists},
        }
    )
