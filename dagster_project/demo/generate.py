"""`xmk demo-data`: write a `raw/` landing zone as the demo city (or province) would fill it.

Layout under the output directory:

* `reference/regions.csv`, `reference/department_leaders.csv`
* `<YYYY-MM>/<code>_<name>.xlsx` per submitter and month, six list sheets (a few submitters
  name their files differently, one sends GBK CSV files, one list per file)
* `<YYYY-MM>/<code>_<name>_更正.xlsx`, a corrected re-submission received later
* `<YYYY>-W<ww>/<code>_<name>_已开工未入统.xlsx`, weekly, in the last two months
* `<YYYY-MM>/统计局_固定资产投资.xlsx`

Each submitter is simulated and written by one worker process from its own seeded
generators, so the output does not depend on scheduling; the bureau's file, which needs
every region, is written last.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from dagster_project.contract import LIST_BY_KEY, LISTS
from dagster_project.demo import bureau, city, csv_layout, defects, issues, meetings, projects
from dagster_project.demo.official_layout import write_official
from dagster_project.demo.old_layout import write_old
from dagster_project.demo.periods import (
    SHANGHAI,
    iso_weeks,
    month_folder,
    month_index,
    month_start,
    monthly_received,
    week_folder,
    weekly_received,
    year_of,
)
from dagster_project.demo.stable_files import workbook_bytes, write_if_changed
from dagster_project.demo.styles import Style, style_for

# Projects per submitter relative to the city: a province submitter reports ~140 rows.
INTENSITY = {"city": 1.0, "province": 0.56}
WEEKLY_MONTHS = 2
END_MONTH = date(2026, 10, 1)


@dataclass
class DemoSummary:
    out_dir: Path
    scale: str
    months: list[str]
    files: int = 0  # every file of the layout, reference and statistics included
    workbooks: int = 0  # .xlsx from submitters (monthly, weekly, corrections)
    csv_files: int = 0  # submitters' CSV files (monthly and weekly)
    weekly_files: int = 0
    statistics_files: int = 0
    reference_files: int = 0
    corrections: list[str] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)  # files the pipeline must refuse
    meeting_files: list[str] = field(default_factory=list)  # 会议纪要 in raw/meetings/
    rows: dict[str, int] = field(default_factory=dict)  # monthly data rows per list key
    weekly_rows: int = 0
    defects: list[defects.Defect] = field(default_factory=list)
    written: int = 0  # files whose bytes changed on this run
    total_bytes: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        """A few lines for the command line."""
        lines = [
            f"demo {self.scale}, {self.months[0]} … {self.months[-1]} → {self.out_dir}",
            f"  {self.files} files: {self.workbooks} workbooks, {self.csv_files} CSV, "
            f"{self.statistics_files} statistics, {self.reference_files} reference "
            f"({self.weekly_files} of them weekly); {self.written} written, "
            f"{self.total_bytes / 1e6:.1f} MB, {self.seconds:.1f} s",
            "  rows: "
            + ", ".join(f"{LIST_BY_KEY[k].title} {n}" for k, n in self.rows.items())
            + f"; weekly 已开工未入统 {self.weekly_rows}",
        ]
        lines += [f"  re-submission: {c}" for c in self.corrections]
        lines += [f"  a file to be refused: {f}" for f in self.refused_files]
        lines += [f"  meeting minutes: {f}" for f in self.meeting_files]
        lines.append(f"  planted defects: {len(self.defects)}")
        lines += [
            f"    {d.file} [{d.sheet}] row {d.excel_row} {d.field}: {d.kind}"
            + (f" (fixed by {d.corrected_by})" if d.corrected_by else "")
            for d in self.defects
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Task:
    region: dict
    city_name: str
    out_dir: Path
    first: int
    last: int
    seed: int
    intensity: float
    corrected: bool


@dataclass
class _Result:
    files: list[tuple[str, str]] = field(default_factory=list)  # (relative path, kind)
    rows: Counter = field(default_factory=Counter)
    weekly_rows: int = 0
    defects: list[defects.Defect] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    listed_ytd: dict[int, float] = field(default_factory=dict)
    written: int = 0
    total_bytes: int = 0


def file_stem(region: dict, style: Style, m: int) -> str:
    """How the submitter names its monthly file (the month folder gives the period)."""
    code, name, month = region["region_code"], region["region_name"], month_start(m)
    if style.file_name == "name_month":
        return f"{name}{month.year}年{month.month}月项目调度表"
    if style.file_name == "alias_month":
        return f"{region['aliases'].split('|')[0]}_{month.month}月"
    if style.file_name == "anonymous":
        return f"{month.month}月份报表"  # only the 填报单位 row says who sent it
    return f"{code}_{name}"


def _sheet_seeds(seed: int, code: str, tag: str):
    """list key -> the seed of a sheet's loose cells. Rows draw from seed + row index, so a
    corrected re-submission writes every untouched cell exactly as the original did."""
    return lambda key: random.Random(f"{seed}:{code}:{tag}:{key}:cells").getrandbits(48)


def _workbook_for(
    task: _Task, style: Style, rows_by_list: dict, m_date: date, tag: str, weekly: bool
):
    seeds = _sheet_seeds(task.seed, task.region["region_code"], tag)
    if style.layout == "old":
        return write_old(rows_by_list, task.region, task.city_name, m_date, style, seeds)
    return write_official(
        rows_by_list, task.region["region_name"], m_date, style, seeds, instructions=not weekly
    )


def _write(task: _Task, result: _Result, rel: str, data: bytes, received: datetime, kind: str):
    result.written += write_if_changed(task.out_dir / rel, data, received)
    result.files.append((rel, kind))
    result.total_bytes += len(data)


def _month_rows(sim, issue_list, m: int, style: Style) -> dict[str, list[dict]]:
    by_list = projects.rows_for_month(sim, m)
    out = {key: [row for _, row in by_list[key]] for key in by_list}
    out["issue_ledger"] = [row for _, row in issues.rows_for_month(issue_list, m)]
    return {lst.key: out[lst.key] for lst in LISTS if lst.key not in style.dropped_lists}


def _submit_month(task: _Task, style: Style, result: _Result, m: int, rows_by_list: dict) -> None:
    code, name = task.region["region_code"], task.region["region_name"]
    folder, m_date = month_folder(m), month_start(m)
    received = monthly_received(task.seed, code, m)
    plants = defects.plants_for(code, m, task.first, task.last)
    submitted = rows_by_list
    planted: list[tuple[int, str, str]] = []
    if plants:
        rng = random.Random(f"{task.seed}:{code}:{m}:defects")
        planted_rows, planted = defects.plant(rows_by_list[defects.PLANTED_LIST], plants, rng)
        submitted = rows_by_list | {defects.PLANTED_LIST: planted_rows}
    for key, rows in rows_by_list.items():
        result.rows[key] += len(rows)

    if style.layout == "csv":
        seeds = _sheet_seeds(task.seed, code, f"{m}")
        for lst in LISTS:
            if lst.key not in submitted:
                continue
            rows = submitted[lst.key]
            data, _ = csv_layout.csv_bytes(lst, rows, name, m_date, style, seeds(lst.key))
            _write(task, result, f"{folder}/{code}_{name}_{lst.title}.csv", data, received, "csv")
        return

    rel = f"{folder}/{file_stem(task.region, style, m)}.xlsx"
    wb, placed = _workbook_for(task, style, submitted, m_date, f"{m}", weekly=False)
    _write(task, result, rel, workbook_bytes(wb, received), received, "xlsx")

    correction = ""
    if planted and (m != task.last or task.corrected):
        # The county fixes its rows and sends the whole workbook again a day later.
        correction = f"{folder}/{code}_{name}{defects.CORRECTION_SUFFIX}.xlsx"
        later = received + timedelta(days=1)
        wb, _ = _workbook_for(task, style, rows_by_list, m_date, f"{m}", weekly=False)
        _write(task, result, correction, workbook_bytes(wb, later), later, "xlsx")
        result.corrections.append(correction)
    sheet, excel_rows = placed[defects.PLANTED_LIST]
    for i, field_name, kind in planted:
        result.defects.append(
            defects.Defect(rel, sheet, excel_rows[i], field_name, kind, correction)
        )


def _submit_week(task: _Task, style: Style, result: _Result, sim, monday: date) -> None:
    rows = [row for _, row in projects.rows_for_week(sim, monday)]
    if not rows:
        return
    code, name = task.region["region_code"], task.region["region_name"]
    received = weekly_received(task.seed, code, monday)
    lst = LIST_BY_KEY["unstated"]
    stem = f"{week_folder(monday)}/{code}_{name}_{lst.title}"
    if style.layout == "csv":
        sheet_seed = _sheet_seeds(task.seed, code, monday.isoformat())(lst.key)
        data, _ = csv_layout.csv_bytes(lst, rows, name, monday, style, sheet_seed)
        _write(task, result, stem + ".csv", data, received, "weekly_csv")
    else:
        wb, _ = _workbook_for(task, style, {lst.key: rows}, monday, monday.isoformat(), True)
        _write(task, result, stem + ".xlsx", workbook_bytes(wb, received), received, "weekly")
    result.weekly_rows += len(rows)


def _generate_submitter(task: _Task) -> _Result:
    code = task.region["region_code"]
    style = style_for(code)
    # Keep every project an issue could have been raised on, so that issues, too, do not
    # depend on the range of months generated.
    keep_from = min(issues.EPOCH, year_of(task.first - 12) * 12)
    sim = projects.simulate(
        task.region, task.first, task.last, task.seed, task.intensity, keep_from=keep_from
    )
    issue_list = issues.simulate_issues(sim, task.first, task.last, task.seed, code, task.intensity)
    result = _Result()
    # From a January at least a year before the first month: the bureau's 上年同期 needs it.
    for m in range(keep_from, task.last + 1):
        result.listed_ytd[m] = projects.listed_ytd(sim, m)
    for m in range(task.first, task.last + 1):
        _submit_month(task, style, result, m, _month_rows(sim, issue_list, m, style))
    for monday in iso_weeks(max(task.first, task.last - WEEKLY_MONTHS + 1), task.last):
        _submit_week(task, style, result, sim, monday)
    return result


# A county that also uploads the stamped, scanned copy of its return, as many do: the
# pipeline must refuse it with a reason and load the workbook beside it.
_SCAN = (
    b"%PDF-1.4\n% scanned copy with the official seal\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
)


def _write_stamped_scan(out_dir: Path, regions: list[dict], last: int) -> list[str]:
    region = regions[min(3, len(regions) - 1)]
    month = month_start(last)
    name = f"{region['region_name']}{month.year}年{month.month}月项目调度表（盖章扫描件）.pdf"
    rel = f"{month_folder(last)}/{name}"
    sent = month_start(last + 1)
    received = datetime(sent.year, sent.month, 6, 16, tzinfo=SHANGHAI)
    write_if_changed(out_dir / rel, _SCAN, received)
    return [rel]


def _write_bureau(
    out_dir: Path, regions: list[dict], listed: dict, first: int, last: int, seed: int, area: str
):
    series = {
        r["region_code"]: bureau.fai_series(listed[r["region_code"]], seed, r["region_code"])
        for r in regions
    }
    written = size = 0
    paths = []
    for m in range(first, last + 1):
        rows = bureau.table(regions, series, m)
        nxt = month_start(m + 1)
        received = datetime(nxt.year, nxt.month, 15, 10, 30, tzinfo=SHANGHAI)
        wb = bureau.workbook(rows, m, area, withheld=m == bureau.withheld_month(first, last))
        data = workbook_bytes(wb, received)
        rel = f"{month_folder(m)}/{bureau.FILE_NAME}"
        written += write_if_changed(out_dir / rel, data, received)
        size += len(data)
        paths.append(rel)
    return paths, written, size


def generate_demo(
    out_dir: Path,
    scale: str = "city",
    months: int = 14,
    seed: int = 20231,
    end_month: date = END_MONTH,
    corrected: bool = False,
    jobs: int | None = None,
    intensity: float | None = None,
) -> DemoSummary:
    """Write the demo's raw/ files into `out_dir` and say what was written.

    `intensity` scales the number of projects (default: 1 for the city, 0.56 for the
    province); tests use a small one. `corrected` adds the re-submissions that fix the
    latest month's planted defects.
    """
    started = time.perf_counter()
    if months < 1:
        raise ValueError("months must be at least 1")
    out_dir = Path(out_dir)
    regions = city.regions(scale)
    last = month_index(end_month)
    first = last - months + 1
    summary = DemoSummary(out_dir, scale, [month_folder(m) for m in range(first, last + 1)])

    start = month_start(first)
    reference_time = datetime(start.year, start.month, 1, 9, tzinfo=SHANGHAI).timestamp()
    for path in city.write_reference(out_dir / "reference", scale):
        os.utime(path, (reference_time, reference_time))
        summary.reference_files += 1
        summary.total_bytes += path.stat().st_size

    prefectures = city.prefecture_names()
    tasks = [
        _Task(
            region=r,
            city_name=prefectures[r["parent_code"]],
            out_dir=out_dir,
            first=first,
            last=last,
            seed=seed,
            intensity=INTENSITY[scale] if intensity is None else intensity,
            corrected=corrected,
        )
        for r in regions
    ]
    workers = jobs or os.cpu_count() or 1
    if workers == 1:
        results = [_generate_submitter(t) for t in tasks]
    else:
        with ProcessPoolExecutor(min(workers, len(tasks))) as pool:
            results = list(pool.map(_generate_submitter, tasks, chunksize=1))

    listed = {}
    for task, result in zip(tasks, results, strict=True):
        listed[task.region["region_code"]] = result.listed_ytd
        for _, kind in result.files:
            summary.workbooks += kind in ("xlsx", "weekly")
            summary.csv_files += kind in ("csv", "weekly_csv")
            summary.weekly_files += kind in ("weekly", "weekly_csv")
        for key in LIST_BY_KEY:
            summary.rows[key] = summary.rows.get(key, 0) + result.rows[key]
        summary.weekly_rows += result.weekly_rows
        summary.defects += result.defects
        summary.corrections += result.corrections
        summary.written += result.written
        summary.total_bytes += result.total_bytes

    area = city.CITY_NAME if scale == "city" else "全省"
    paths, written, size = _write_bureau(out_dir, regions, listed, first, last, seed, area)
    summary.statistics_files = len(paths)
    summary.written += written
    summary.total_bytes += size
    summary.refused_files = _write_stamped_scan(out_dir, regions, last)
    summary.meeting_files = meetings.write_minutes(out_dir, last, seed)
    summary.files = (
        summary.reference_files
        + summary.workbooks
        + summary.csv_files
        + summary.statistics_files
        + len(summary.refused_files)
        + len(summary.meeting_files)
    )
    summary.seconds = time.perf_counter() - started
    return summary
