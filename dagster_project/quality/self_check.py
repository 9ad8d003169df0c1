"""`xmk validate FILE`: a county checks its workbook before sending it (SPEC §4).

The file goes through the very steps a submission goes through — guards, parsing,
quarantine, the expectation suites — in a throw-away warehouse, and the county gets the
report it would get from the city. The real warehouse and raw/ are never touched.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.ingest.load import ingest
from dagster_project.ingest.reference import REFERENCE_FILES, reference_file
from dagster_project.publish.county_reports import ReportFiles, write_county_report
from dagster_project.quality.failures import (
    Failure,
    quarantine_failures,
    rejected_file_failures,
)
from dagster_project.quality.suites import validate_warehouse

_MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class SelfCheck:
    file: Path
    period_month: date
    region: dict | None  # None when the submitter could not be recognised
    failures: tuple[Failure, ...]
    refused_reason: str | None
    report: ReportFiles | None

    @property
    def errors(self) -> int:
        found = sum(1 for f in self.failures if f.severity == "error")
        return found or int(self.refused_reason is not None)

    def describe(self) -> str:
        who = self.region["region_name"] if self.region else "报送单位未识别"
        lines = [f"{self.file.name}: {who}, {self.period_month:%Y年%-m月}"]
        if self.refused_reason:
            lines.append(f"  文件被拒收: {self.refused_reason}")
        warnings = sum(1 for f in self.failures if f.severity == "warn")
        lines.append(f"  {self.errors} 项错误, {warnings} 项警告")
        if self.report:
            lines.append(f"  报告: {self.report.workbook}")
            lines.append(f"        {self.report.html}")
        return "\n".join(lines)


def default_period(path: Path, today: date) -> date:
    """The month folder the file sits in (raw/2026-10/…), else last month."""
    if m := _MONTH_FOLDER.match(path.resolve().parent.name):
        return date(int(m.group(1)), int(m.group(2)), 1)
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def self_check(file: Path, out_dir: Path, period_month: date, reference_raw: Path) -> SelfCheck:
    """Check one file as a submission for `period_month`; `reference_raw` is the landing
    folder whose reference/ (if any) names the regions."""
    with tempfile.TemporaryDirectory(prefix="xmk-validate-") as tmp:
        raw = Path(tmp) / "raw"
        landed = raw / f"{period_month:%Y-%m}" / file.name
        landed.parent.mkdir(parents=True)
        shutil.copy2(file, landed)
        (raw / "reference").mkdir()
        for name in REFERENCE_FILES:
            shutil.copy2(reference_file(reference_raw, name), raw / "reference" / name)
        db = Path(tmp) / "warehouse.duckdb"
        ingest(raw, db, jobs=1)
        failures, region, refused = _findings(db, period_month)
        if refused is None:
            failures += validate_warehouse(db, period_month)
        report = None
        if region is not None:
            mine = [f for f in failures if f.region_code == region["region_code"]]
            report = write_county_report(out_dir, region, period_month, mine, raw)
        return SelfCheck(file, period_month, region, tuple(failures), refused, report)


def _findings(db: Path, period_month: date):
    con = duckdb.connect(str(db), read_only=True)
    try:
        manifest = con.execute(
            "select status, reason, region_code from raw.file_manifest"
        ).fetchone()
        status, reason, code = manifest
        failures = quarantine_failures(con, period_month)
        if status == "rejected":
            failures += rejected_file_failures(con, period_month)
            code = next((f.region_code for f in failures if f.region_code), None)
        region = None
        if code:
            row = con.execute(
                "select region_code, region_name, contact_email from raw.regions "
                "where region_code = ?",
                [code],
            ).fetchone()
            region = dict(zip(("region_code", "region_name", "contact_email"), row, strict=True))
        return failures, region, reason if status == "rejected" else None
    finally:
        con.close()
