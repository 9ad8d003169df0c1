"""Writing county reports: one submitter's month (`write_county_report`), or every
(region, month) with failures or a submission (`write_all_reports`)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.publish.county_report.content import ANNOTATED, detail_order, report_content
from dagster_project.publish.county_report.guidance import Guidance, report_guidance
from dagster_project.publish.county_report.marking import ANNOTATED_SUFFIX, annotate_all
from dagster_project.publish.county_report.page import render_html
from dagster_project.publish.county_report.store import (
    ReportFiles,
    report_fingerprint,
    store_report,
    stored_report,
)
from dagster_project.publish.county_report.workbook import write_report_workbook
from dagster_project.publish.render.files import safe_file_name, write_atomically
from dagster_project.publish.render.labels import month_label
from dagster_project.quality.failures import (
    COUNTY_KINDS,
    Failure,
    is_for_the_centre,
    query_dicts,
)

# The marts read: the failures, every file received (a submitter with nothing wrong still
# gets its report) and the regions.
READS = ("fct_dq_failures", "fct_received_files", "dim_region")
REPORTS_DIR = "reports"
REPORT_PREFIX = "数据质量报告_"


def report_dir(out_dir: Path, region: dict, month: date) -> Path:
    folder = safe_file_name(f"{region['region_code']}_{region['region_name']}")
    return out_dir / REPORTS_DIR / f"{month:%Y-%m}" / folder


def write_county_report(
    out_dir: Path,
    region: dict,
    period_month: date,
    failures: list[Failure],
    raw_dir: Path,
    guidance: Guidance | None = None,
) -> ReportFiles:
    """Write one submitter's report for one month. Refuses (ValueError) a failure of any
    other region or month: a county must never see another's rows. `guidance` defaults
    to the run's (report_guidance of raw_dir)."""
    code = region["region_code"]
    month = period_month.replace(day=1)
    for f in failures:
        if f.region_code != code:
            raise ValueError(
                f"failure of region {f.region_code!r} in the report of {code!r}: {f.source_file}"
            )
        if f.period_month.replace(day=1) != month:
            raise ValueError(
                f"failure of {f.period_month:%Y-%m} in the report of {month:%Y-%m}: {f.source_file}"
            )
    guidance = guidance or report_guidance(raw_dir)
    directory = report_dir(out_dir, region, month)
    fingerprint = report_fingerprint(region, month, failures, raw_dir, guidance)
    unchanged = stored_report(directory, fingerprint, region, month)
    if unchanged is not None:
        return unchanged
    directory.mkdir(parents=True, exist_ok=True)
    before = set(directory.iterdir())

    annotations, annotated = annotate_all(directory, failures, raw_dir)
    content = report_content(region, month, failures, annotations, guidance)
    stem = safe_file_name(f"{REPORT_PREFIX}{region['region_name']}_{month_label(month)}")
    html_path = directory / f"{stem}.html"
    html_bytes = render_html(content).encode("utf-8")
    write_atomically(html_path, html_bytes)
    workbook = directory / f"{stem}.xlsx"
    write_report_workbook(workbook, content)

    # A workbook annotated in an earlier run but clean now must not be sent again.
    for stale in before - {workbook, html_path, *annotated}:
        if stale.name.endswith(ANNOTATED_SUFFIX) or stale.name.startswith(REPORT_PREFIX):
            stale.unlink()
    files = ReportFiles(
        region_code=code,
        region_name=region["region_name"],
        period_month=month,
        directory=directory,
        workbook=workbook,
        html=html_path,
        annotated=tuple(annotated),
        errors=content.errors,
        warnings=content.warnings,
        verdict=content.verdict,
        by_sheet=content.by_sheet,
        notes=tuple(a.note for a in annotations if a.note != ANNOTATED),
        guidance=content.guidance,
        content_sha256=hashlib.sha256(html_bytes).hexdigest(),
    )
    store_report(files, fingerprint)
    return files


@dataclass(frozen=True)
class ReportRun:
    reports: tuple[ReportFiles, ...]
    # Failures no county report can carry: the submitter is unknown or not in regions.
    unattributed: tuple[Failure, ...]


def mart_failures(con, period_month: date | None = None) -> list[Failure]:
    """The failures of marts.fct_dq_failures (the month's, or all)."""
    sql = "select * from marts.fct_dq_failures"
    params: list = []
    if period_month is not None:
        sql += " where period_month = ?"
        params.append(period_month)
    return [Failure.from_row(row) for row in query_dicts(con, sql, params)]


def submitted_periods(con, period_month: date | None = None) -> set[tuple[str, date]]:
    """(region, month) of every county file received, loaded or refused, so that a
    submitter with nothing wrong still gets its 无错误 report."""
    rows = con.execute(
        """
        select distinct region_code, report_month
        from marts.fct_received_files
        where region_code is not null and list_contains(?, submission_kind)
        """,
        [list(COUNTY_KINDS)],
    ).fetchall()
    return {(code, m) for code, m in rows if m and (period_month is None or m == period_month)}


def latest_month(con) -> date | None:
    """The latest month any county reported in a file now in force."""
    return con.execute(
        """
        select max(report_month) from marts.fct_received_files
        where is_effective and status = 'loaded' and list_contains(?, submission_kind)
        """,
        [list(COUNTY_KINDS)],
    ).fetchone()[0]


def report_regions(con) -> list[dict]:
    """The submitters a report can go to, with the address it is mailed to."""
    return query_dicts(con, "select region_code, region_name, contact_email from marts.dim_region")


def write_all_reports(
    out_dir: Path,
    con_or_failures,
    regions: Iterable[dict],
    raw_dir: Path,
    period_month: date | None = None,
    submitted: Iterable[tuple[str, date]] = (),
    guidance: Guidance | None = None,
) -> ReportRun:
    """One report per (region, month) that has failures or a submission.

    `con_or_failures` is a DuckDB connection (failures and submissions are read from the
    warehouse) or the failures themselves; `submitted` adds (region_code, month) pairs
    that get a report even with no failure. `period_month` limits the run to one month;
    `guidance` defaults to report_guidance(raw_dir).
    """
    if hasattr(con_or_failures, "execute"):
        failures = mart_failures(con_or_failures, period_month)
        wanted = set(submitted) | submitted_periods(con_or_failures, period_month)
    else:
        failures = list(con_or_failures)
        wanted = set(submitted)
    month = period_month.replace(day=1) if period_month else None
    if month is not None:
        failures = [
            f for f in failures if f.period_month and f.period_month.replace(day=1) == month
        ]
        wanted = {(c, m) for c, m in wanted if m.replace(day=1) == month}

    by_code = {r["region_code"]: r for r in regions}
    groups: dict[tuple[str, date], list[Failure]] = defaultdict(list)
    unattributed = []
    for f in failures:
        if is_for_the_centre(f):
            continue
        if f.region_code in by_code and f.period_month is not None:
            groups[(f.region_code, f.period_month.replace(day=1))].append(f)
        else:
            unattributed.append(f)
    keys = set(groups) | {(c, m.replace(day=1)) for c, m in wanted if c in by_code}
    guidance = guidance or report_guidance(raw_dir)
    jobs = [
        (out_dir, by_code[code], m, groups.get((code, m), []), raw_dir, guidance)
        for code, m in sorted(keys)
    ]
    return ReportRun(_write_reports(jobs), tuple(sorted(unattributed, key=detail_order)))


# Reports to write (not already written from the same inputs) from which they are written
# by a process per core: a new month gives every submitter a new report, ~0.1 s each.
PARALLEL_FROM = 24


def _write_reports(jobs: list[tuple]) -> tuple[ReportFiles, ...]:
    """write_county_report of every job, in order. The reports already written from the
    same inputs are found here; the others, when there are many, are written in worker
    processes (each report has a folder of its own)."""
    done: dict[int, ReportFiles] = {}
    pending = []
    for i, (out_dir, region, month, failures, raw_dir, guidance) in enumerate(jobs):
        directory = report_dir(out_dir, region, month)
        fingerprint = report_fingerprint(region, month, failures, raw_dir, guidance)
        if (stored := stored_report(directory, fingerprint, region, month)) is not None:
            done[i] = stored
        else:
            pending.append(i)
    workers = min(len(os.sched_getaffinity(0)), 4)
    if len(pending) >= PARALLEL_FROM and workers > 1:
        # spawn: the run's process holds threads (Dagster's), which fork does not copy
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            written = pool.map(_write_job, [jobs[i] for i in pending], chunksize=4)
            done.update(zip(pending, written, strict=True))
    else:
        done.update((i, _write_job(jobs[i])) for i in pending)
    return tuple(done[i] for i in range(len(jobs)))


def _write_job(job: tuple) -> ReportFiles:
    return write_county_report(*job)
