"""Which county reports are already written: `.report.json` in a report's folder keeps a
digest of its inputs (the failures, the bytes of each workbook it marks, the region, the
month, the guidance it gives and the code and templates that lay it out). A nightly run
with nothing new leaves every report, and its modification time, as it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from dagster_project.publish.county_report.guidance import NO_GUIDANCE, Guidance
from dagster_project.publish.county_report.marking import inside
from dagster_project.publish.render.files import write_atomically
from dagster_project.publish.render.html import TEMPLATES_DIR
from dagster_project.quality.failures import Failure

REPORT_STATE = ".report.json"


def layout_digest() -> str:
    """Digest of what lays a report out: this package's and render/'s modules and the
    templates. A change to any of them writes every report again."""
    package = Path(__file__).resolve().parent
    files = [
        *sorted(package.glob("*.py")),
        *sorted((package.parent / "render").glob("*.py")),
        *sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file()),
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.relative_to(package.parent).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_LAYOUT_DIGEST = layout_digest()


@dataclass(frozen=True)
class ReportFiles:
    region_code: str
    region_name: str
    period_month: date
    directory: Path
    workbook: Path  # 数据质量报告_….xlsx
    html: Path
    annotated: tuple[Path, ...]  # the county's workbooks, marked
    errors: int
    warnings: int
    verdict: str
    # (file, sheet, errors, warnings) for a mail body
    by_sheet: tuple[tuple[str, str, int, int], ...]
    notes: tuple[str, ...]  # what could not be annotated, and why
    guidance: tuple[str, ...]  # by when, under which name, whom to call
    # Digest of the HTML, which holds everything the report says. The .xlsx bytes carry
    # save times, so they cannot tell a re-run of the same report from a new one.
    content_sha256: str

    @property
    def attachments(self) -> tuple[Path, ...]:
        return (self.workbook, *self.annotated, self.html)


def report_fingerprint(
    region: dict,
    month: date,
    failures: Sequence[Failure],
    raw_dir: Path,
    guidance: Guidance = NO_GUIDANCE,
) -> str:
    """Digest of everything a report is made from; equal digests mean equal reports."""
    digest = hashlib.sha256(_LAYOUT_DIGEST.encode())
    digest.update(f"{region['region_code']}\0{region['region_name']}\0{month}".encode())
    digest.update(json.dumps(asdict(guidance), ensure_ascii=False).encode())
    for line in sorted(json.dumps(asdict(f), default=str, sort_keys=True) for f in failures):
        digest.update(line.encode())
    for source in sorted({f.source_file for f in failures if f.excel_row is not None}):
        original = inside(raw_dir, source)
        found = original is not None and original.is_file()
        content = hashlib.sha256(original.read_bytes()).hexdigest() if found else "absent"
        digest.update(f"\0{source}\0{content}".encode())
    return digest.hexdigest()


def store_report(files: ReportFiles, fingerprint: str) -> None:
    state = {
        "fingerprint": fingerprint,
        "workbook": files.workbook.name,
        "html": files.html.name,
        "annotated": [p.name for p in files.annotated],
        "errors": files.errors,
        "warnings": files.warnings,
        "verdict": files.verdict,
        "by_sheet": files.by_sheet,
        "notes": files.notes,
        "guidance": files.guidance,
        "content_sha256": files.content_sha256,
    }
    write_atomically(
        files.directory / REPORT_STATE, json.dumps(state, ensure_ascii=False, indent=1)
    )


def stored_report(
    directory: Path, fingerprint: str, region: dict, month: date
) -> ReportFiles | None:
    """The report already in `directory` when it was made from the same inputs and all
    its files are still there; None when it has to be written."""
    try:
        state = json.loads((directory / REPORT_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("fingerprint") != fingerprint:
        return None
    try:
        files = ReportFiles(
            region_code=region["region_code"],
            region_name=region["region_name"],
            period_month=month,
            directory=directory,
            workbook=directory / state["workbook"],
            html=directory / state["html"],
            annotated=tuple(directory / name for name in state["annotated"]),
            errors=state["errors"],
            warnings=state["warnings"],
            verdict=state["verdict"],
            by_sheet=tuple(tuple(row) for row in state["by_sheet"]),
            notes=tuple(state["notes"]),
            guidance=tuple(state["guidance"]),
            content_sha256=state["content_sha256"],
        )
    except (KeyError, TypeError):
        return None
    return files if all(p.is_file() for p in files.attachments) else None
