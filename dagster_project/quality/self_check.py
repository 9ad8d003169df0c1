"""`xmk validate FILE`: a county checks its workbook before sending it (SPEC §4).

The file goes through the very steps a submission goes through — guards, parsing,
quarantine, the expectation suites — in a throw-away warehouse, and the county gets the
report it would get from the city. The real warehouse and raw/ are never touched.

It must answer fast (SPEC §7: under 2 s as a whole `xmk validate` process, under 0.3 s
in a warm portal server): the throw-away warehouse is a DuckDB database in memory, the
suites are evaluated without Great Expectations (suites.py, engine "direct") and loaded
once per process, and nothing here imports GX, Dagster or dbt.

The month checked is the month folder the file lies in (raw/2026-10/…), else the month
the workbook itself names (parse/period.py); a workbook that names none is not checked
against a guessed month — the clerk is asked for --period.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.load import ingest
from dagster_project.ingest.reference import REFERENCE_FILES, reference_file
from dagster_project.parse.grid import read_grids
from dagster_project.parse.guards import FileRejected, inspect_file, split_gloss
from dagster_project.parse.headers import find_header
from dagster_project.parse.period import period_named
from dagster_project.publish.county_report.run import write_county_report
from dagster_project.publish.county_report.store import ReportFiles
from dagster_project.quality.failures import (
    Failure,
    quarantine_failures,
    rejected_file_failures,
)
from dagster_project.quality.suites import DIRECT, warehouse_failures

_MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")
_IN_FORCE = "effective_submission_lists"


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
            lines.append(f"  文件被拒收: {split_gloss(self.refused_reason)[0]}")
        warnings = sum(1 for f in self.failures if f.severity == "warn")
        lines.append(f"  {self.errors} 项错误, {warnings} 项警告")
        if self.report:
            lines.append(f"  报告: {self.report.workbook}")
            lines.append(f"        {self.report.html}")
            for path in self.report.annotated:
                lines.append(f"  标注: {path}")
        return "\n".join(lines)


class PeriodUnknown(ValueError):
    """The file says no reporting month; str(exc) tells the clerk why, in Chinese."""


def file_period(path: Path, today: date) -> tuple[date, str]:
    """The month a file is checked for, and how it was found: the month folder it lies
    in, else the month its workbook names (title rows, 报送月份, "1-X月" headers).
    PeriodUnknown when neither says one."""
    folder = path.resolve().parent.name
    if (m := _MONTH_FOLDER.match(folder)) and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1), f"文件所在目录{folder}"
    data = path.read_bytes()
    try:
        facts = inspect_file(path.name, data)
        grids = read_grids(path.name, data, facts)
    except FileRejected as exc:
        raise PeriodUnknown(f"文件无法读取（{split_gloss(str(exc))[0]}）") from exc
    except Exception as exc:  # a reader's own failure: the self-check would refuse it too
        raise PeriodUnknown("文件无法读取") from exc
    titles, ytd_months = [], []
    for grid in grids:
        header = find_header(grid)
        if header is not None:
            titles += header.title_lines
            ytd_months += [header.ytd_month] if header.ytd_month else []
    found = period_named(titles, ytd_months, today)
    if found is None:
        raise PeriodUnknown(
            "文件不在 raw/<YYYY-MM>/ 月份目录中，标题行、报送月份和“1-X月累计完成投资”表头"
            "也没有注明唯一的报送月份"
        )
    return found


def self_check(
    file: Path,
    out_dir: Path,
    period_month: date,
    reference_raw: Path,
    *,
    period_folder: str | None = None,
    submitter: tuple[str, str] | None = None,
    write_report: bool = True,
    engine: str = DIRECT,
) -> SelfCheck:
    """Check one file as a submission for `period_month`; `reference_raw` is the landing
    folder whose reference/ (if any) names the regions. `period_folder` is the raw/ folder
    it is checked in (default the month's; a weekly return's is its week, 2026-W44).
    `submitter` (account, region_code) checks it as a portal upload: with the receipt it
    will land with, so that the submitter is the account's region, as in the nightly run.
    Without `write_report` only the findings are made (the portal writes the report and
    marks the workbook after it has answered). The suites are evaluated by the direct
    engine, which gives the nightly run's (GX's) failures without importing GX; `engine`
    "gx" is for comparing the two."""
    with (
        tempfile.TemporaryDirectory(prefix="xmk-validate-") as tmp,
        _throwaway_warehouse() as (
            db,
            con,
        ),
    ):
        raw = Path(tmp) / "raw"
        landed = raw / (period_folder or f"{period_month:%Y-%m}") / file.name
        landed.parent.mkdir(parents=True)
        shutil.copy2(file, landed)
        if submitter is not None:
            _write_provisional_receipt(landed, submitter, landed.parent.name)
        (raw / "reference").mkdir()
        for name in REFERENCE_FILES:
            shutil.copy2(reference_file(reference_raw, name), raw / "reference" / name)
        ingest(raw, db, jobs=1)
        _fix_in_force(con)
        failures, region, refused = _findings(con, period_month)
        if refused is None:
            failures += warehouse_failures(con, period_month, engine=engine)
        report = None
        if region is not None and write_report:
            mine = [f for f in failures if f.region_code == region["region_code"]]
            report = write_county_report(out_dir, region, period_month, mine, raw)
        return SelfCheck(file, period_month, region, tuple(failures), refused, report)


@contextlib.contextmanager
def _throwaway_warehouse():
    """(name, connection) of a new DuckDB database in memory, for one check: ingest opens
    it by its name (":memory:<name>", which DuckDB shares between the connections of a
    process while one stays open) and the checks read it through the connection. Nothing
    of it reaches the disk, and it is gone when the connection closes."""
    name = f":memory:xmk-validate-{secrets.token_hex(8)}"
    con = duckdb.connect(name)
    con.execute("set threads = 1")  # a few hundred rows: another thread only costs
    try:
        yield Path(name), con
    finally:
        con.close()


def _fix_in_force(con) -> None:
    """raw.effective_submission_lists (which submission is in force) as a table of its
    rows: nothing changes the throw-away warehouse after ingest, and the checks read it in
    some twenty queries, each of which would compute the view again."""
    con.execute("begin transaction")
    con.execute(f"create table raw.{_IN_FORCE}__rows as select * from raw.{_IN_FORCE}")
    con.execute(f"drop view raw.{_IN_FORCE}")
    con.execute(f"alter table raw.{_IN_FORCE}__rows rename to {_IN_FORCE}")
    con.execute("commit")


def _write_provisional_receipt(landed: Path, submitter: tuple[str, str], period: str) -> None:
    import hashlib

    from dagster_project.ingest.receipts import Receipt, write_receipt
    from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY
    from dagster_project.settings import BEIJING

    data = landed.read_bytes()
    account, region_code = submitter
    receipt = Receipt(
        account=account,
        region_code=region_code,
        period=period,
        kind=COUNTY_WEEKLY if "-W" in period else COUNTY_MONTHLY,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        received_at=datetime.now(BEIJING),
    )
    write_receipt(landed, receipt)


def _findings(con, period_month: date):
    manifest = con.execute("select status, reason, region_code from raw.file_manifest").fetchone()
    status, reason, code = manifest
    failures = quarantine_failures(con, period_month)
    if status == "rejected":
        failures += rejected_file_failures(con, period_month)
        code = next((f.region_code for f in failures if f.region_code), None)
    region = None
    if code:
        row = con.execute(
            "select region_code, region_name, contact_email from raw.regions where region_code = ?",
            [code],
        ).fetchone()
        region = dict(zip(("region_code", "region_name", "contact_email"), row, strict=True))
    return failures, region, reason if status == "rejected" else None
