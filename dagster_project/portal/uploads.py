"""An upload, from the guards to its confirmation (SPEC §9).

1. The bytes go through the file guards in memory first (parse/guards.py): a file they
   refuse — a zip bomb, a macro workbook, a disguised file — is answered with the reason
   and nothing of it is written anywhere.
2. Otherwise the upload is kept in the portal's state folder (uploads/<id>/raw/<period>/,
   under the server's name) and checked as the nightly run would check it
   (quality/self_check.py: the same parsing, quarantine and rules, with the account's
   region as the submitter); the findings are the answer. The county report and the
   marked workbook (openpyxl: seconds for a large workbook) are written just after, in the
   background; a download of either waits for them.
3. On 确认报送 it lands in raw/<period>/ with its receipt (landing.py); the sensor and the
   nightly run take it from there. Errors do not stop a confirmation: the gate decides
   publication.

Each upload's facts are one JSON file (upload.json) beside its bytes; the id is random and
says nothing of the county, and every read checks the account's region.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from dagster_project.parse.guards import FileRejected, inspect_file, split_gloss
from dagster_project.portal.landing import Period, land, parse_period, server_name
from dagster_project.portal.users import User, now

_META = "upload.json"
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789")
# One check at a time per process: each holds a workbook and a small DuckDB in memory, and
# on two cores a second one at once only makes both slower.
_CHECKING = threading.Semaphore(1)

CHECKED, REFUSED, CONFIRMED = "checked", "refused", "confirmed"
PENDING, READY = "pending", "ready"
log = logging.getLogger("xmk.portal")


@dataclass
class Upload:
    submission_id: str
    account: str
    region_code: str
    region_name: str
    period: str
    kind: str
    original_name: str  # as the browser sent it: shown (escaped), never used as a path
    sha256: str
    size: int
    uploaded_at: str
    status: str  # checked | refused | confirmed
    refused_reason: str | None = None
    stored_name: str | None = None  # the server's name, in the upload's folder
    errors: int = 0
    warnings: int = 0
    failures: list[dict] = field(default_factory=list)
    report_files: list[str] = field(default_factory=list)  # relative to the upload folder
    marked_files: list[str] = field(default_factory=list)
    # none (no report: the submitter was not recognised) | pending | ready
    report_state: str = "none"
    report_failures: list[dict] = field(default_factory=list)  # the report's, in full
    check_seconds: float | None = None
    confirmed_at: str | None = None
    landed_as: str | None = None  # path under raw/

    def public(self) -> dict:
        """What the API says of it."""
        data = asdict(self)
        data.pop("stored_name")
        data.pop("report_failures")
        data["report_files"] = [Path(p).name for p in self.report_files]
        data["marked_files"] = [Path(p).name for p in self.marked_files]
        return data


class UploadRefused(ValueError):
    """An upload that cannot be taken (bad type, too large); str(exc) is for the clerk."""


class Uploads:
    def __init__(self, uploads_dir: Path, raw_dir: Path):
        self.dir = uploads_dir
        self.raw_dir = raw_dir
        self._lock = threading.Lock()
        self._report_locks: dict[str, threading.Lock] = {}

    # ------------------------------------------------------------------ reading

    def get(self, submission_id: str, user: User) -> Upload | None:
        """The upload when `user` may see it (its own region, or an admin), else None —
        the same answer as for an id that does not exist."""
        if not submission_id or not set(submission_id) <= _ID_CHARS or len(submission_id) > 64:
            return None
        upload = self._load(submission_id)
        if upload is None:
            return None
        if not user.is_admin and upload.region_code != user.region_code:
            return None
        return upload

    def mine(self, user: User) -> list[Upload]:
        """The uploads `user` may see, newest first."""
        found = [u for u in self.all() if user.is_admin or u.region_code == user.region_code]
        return sorted(found, key=lambda u: u.uploaded_at, reverse=True)

    def all(self) -> list[Upload]:
        if not self.dir.is_dir():
            return []
        return [self._load(meta.parent.name) for meta in self.dir.glob(f"*/{_META}")]

    def file_of(self, upload: Upload, name: str) -> Path | None:
        """One of the upload's report or marked files, by its base name or as `marked`,
        `report.xlsx`, `report.html`; waits for the report while it is being written."""
        if upload.report_state == PENDING:
            upload = self.ensure_report(upload)
        aliases = {
            "marked": upload.marked_files[:1],
            "report.xlsx": [p for p in upload.report_files if p.endswith(".xlsx")],
            "report.html": [p for p in upload.report_files if p.endswith(".html")],
        }
        if name in aliases:
            name = Path(aliases[name][0]).name if aliases[name] else ""
        for rel in (*upload.report_files, *upload.marked_files):
            if Path(rel).name == name:
                path = self.dir / upload.submission_id / rel
                return path if path.is_file() else None
        return None

    # ------------------------------------------------------------------ checking

    def check(
        self, user: User, region: dict, period: Period, original_name: str, data: bytes
    ) -> Upload:
        """Guards, then the self-check; the upload as stored."""
        from dagster_project.quality.self_check import self_check

        ext = _extension(original_name)
        sha = hashlib.sha256(data).hexdigest()
        at = now()
        upload = Upload(
            submission_id=secrets.token_hex(16),
            account=user.login,
            region_code=region["region_code"],
            region_name=region["region_name"],
            period=period.text,
            kind=period.kind,
            original_name=original_name[:200],
            sha256=sha,
            size=len(data),
            uploaded_at=at.isoformat(timespec="seconds"),
            status=CHECKED,
        )
        try:
            facts = inspect_file(f"upload{ext}", data)
        except FileRejected as exc:
            upload.status, upload.refused_reason = REFUSED, split_gloss(str(exc))[0]
            upload.errors = 1
            self._save(upload)  # the facts only: the bytes are not kept
            return upload
        folder = self.dir / upload.submission_id
        stored = (
            folder
            / "raw"
            / period.text
            / server_name(region, period, at, sha, _format_ext(facts.format, ext))
        )
        stored.parent.mkdir(parents=True)
        stored.write_bytes(data)
        upload.stored_name = stored.relative_to(folder).as_posix()
        started = datetime.now()
        with _CHECKING:
            result = self_check(
                stored,
                folder,
                period.month,
                self.raw_dir,
                period_folder=period.text,
                submitter=(user.login, region["region_code"]),
                write_report=False,
            )
        upload.check_seconds = round((datetime.now() - started).total_seconds(), 3)
        failures = [f for f in result.failures if f.region_code in (None, region["region_code"])]
        if result.region is not None:
            upload.report_state = PENDING
            upload.report_failures = [
                _jsonable(asdict(f))
                for f in result.failures
                if f.region_code == result.region["region_code"]
            ]
        # Errors first, then warnings, each in the order of the workbook.
        failures.sort(key=lambda f: (f.severity != "error", f.sheet or "", f.excel_row or 0))
        upload.failures = [_failure_json(f) for f in failures]
        upload.errors = result.errors
        upload.warnings = sum(1 for f in failures if f.severity == "warn")
        if result.refused_reason:
            upload.status, upload.refused_reason = REFUSED, split_gloss(result.refused_reason)[0]
        self._save(upload)
        if upload.report_state == PENDING:
            threading.Thread(target=self.ensure_report, args=(upload,), daemon=True).start()
        return upload

    def ensure_report(self, upload: Upload) -> Upload:
        """Write the upload's county report and marked workbook unless they are there: the
        report the city would send, from the check's failures and the stored file."""
        from dagster_project.publish.county_report.guidance import report_guidance
        from dagster_project.publish.county_report.run import write_county_report
        from dagster_project.quality.failures import Failure

        with self._report_lock(upload.submission_id):
            fresh = self._load(upload.submission_id)
            if fresh is None or fresh.report_state != PENDING:
                return fresh or upload
            folder = self.dir / fresh.submission_id
            region = self._region(fresh.region_code)
            try:
                report = write_county_report(
                    folder,
                    region,
                    parse_period(fresh.period).month,
                    [Failure.from_row(f) for f in fresh.report_failures],
                    folder / "raw",
                    guidance=report_guidance(self.raw_dir),
                )
            except Exception:
                log.exception("report of upload %s", fresh.submission_id)
                state, reports, marked = "failed", [], []
            else:
                state = READY
                reports = [p.relative_to(folder).as_posix() for p in (report.workbook, report.html)]
                marked = [p.relative_to(folder).as_posix() for p in report.annotated]
            # A confirmation may have been saved meanwhile: change only the report's fields.
            with self._lock:
                latest = self._load(fresh.submission_id)
                latest.report_state, latest.report_files, latest.marked_files = (
                    state,
                    reports,
                    marked,
                )
                self._save(latest)
            return latest

    def _report_lock(self, submission_id: str) -> threading.Lock:
        with self._lock:
            return self._report_locks.setdefault(submission_id, threading.Lock())

    def _region(self, region_code: str) -> dict:
        from dagster_project.ingest.reference import load_regions

        rows, _ = load_regions(self.raw_dir)
        return next(r for r in rows if r["region_code"] == region_code)

    def _load(self, submission_id: str) -> Upload | None:
        path = self.dir / submission_id / _META
        if not path.is_file():
            return None
        return Upload(**json.loads(path.read_text(encoding="utf-8")))

    # ------------------------------------------------------------------ confirming

    def confirm(self, upload: Upload, user: User) -> Upload:
        """Land the upload in raw/ with its receipt. Confirming twice lands it once."""
        with self._lock:
            fresh = self.get(upload.submission_id, user)
            if fresh is None:
                raise UploadRefused("没有这份报送 [no such submission]")
            if fresh.status == CONFIRMED:
                return fresh
            if fresh.status == REFUSED or fresh.stored_name is None:
                raise UploadRefused(
                    f"文件被拒收，不能报送：{fresh.refused_reason}。请修改后重新上传 [refused file]"
                )
            stored = self.dir / fresh.submission_id / fresh.stored_name
            data = stored.read_bytes()
            if hashlib.sha256(data).hexdigest() != fresh.sha256:
                raise UploadRefused("暂存的文件已被改动，请重新上传 [stored upload changed]")
            region = {"region_code": fresh.region_code, "region_name": fresh.region_name}
            at = now()
            target = land(
                self.raw_dir,
                region,
                user.login,
                parse_period(fresh.period),
                data,
                fresh.sha256,
                stored.suffix,
                at,
            )
            fresh.status = CONFIRMED
            fresh.confirmed_at = at.isoformat(timespec="seconds")
            fresh.landed_as = target.relative_to(self.raw_dir).as_posix()
            self._save(fresh)
            return fresh

    def _save(self, upload: Upload) -> None:
        folder = self.dir / upload.submission_id
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{_META}.tmp"
        tmp.write_text(json.dumps(asdict(upload), ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, folder / _META)


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return ("." + base.rsplit(".", 1)[-1].lower()) if "." in base else ""


def _format_ext(fmt: str, ext: str) -> str:
    """The extension a landed file gets: that of the format the guards found (a WPS .et
    is read as what it is)."""
    return {"xlsx": ".xlsx", "xls": ".xls", "csv": ".csv"}.get(fmt, ext)


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}


def _failure_json(f) -> dict:
    return {
        "sheet": f.sheet,
        "excel_row": f.excel_row,
        "column": f.column_letter,
        "field": f.field,
        "header": f.header,
        "value": f.value,
        "rule": f.rule,
        "severity": f.severity,
        "hint": f.hint,
    }
