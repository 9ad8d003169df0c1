"""Reference data: the deployment's own under raw/reference/, else the demo city's seeds;
and the project centre's exemptions (raw/reference/exemptions.csv), which have no seed."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REFERENCE_FILES = ("regions.csv", "department_leaders.csv")
EXEMPTIONS_FILE = "exemptions.csv"
EXEMPTION_COLUMNS = ("region_code", "period_month", "reason")
# The region_code of an exemption for the statistics bureau's file of a month.
STATISTICS_SUBMITTER = "统计局"


class ReferenceFileError(ValueError):
    """A reference file the pipeline cannot use; the message names the file, the row and
    the column."""


def reference_file(raw_dir: Path, name: str) -> Path:
    """raw/reference/<name> when the deployment ships one, else the demo city's seed."""
    own = raw_dir / "reference" / name
    return own if own.is_file() else SEEDS_DIR / name


def load_reference(raw_dir: Path, name: str) -> tuple[list[dict], str]:
    """The rows of a reference file and a version (hash of the file) to tell when it
    changed."""
    data = reference_file(raw_dir, name).read_bytes()
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    return rows, hashlib.sha256(data).hexdigest()[:16]


def load_regions(raw_dir: Path) -> tuple[list[dict], str]:
    return load_reference(raw_dir, "regions.csv")


def load_exemptions(raw_dir: Path, regions: list[dict]) -> list[dict]:
    """The project centre's exemptions from the completeness rule of the publication gate
    (SPEC §4): {region_code, period_month, reason}, one per region and month. A region may
    be written by code, name or alias; 统计局 exempts the bureau's file. A row that
    cannot be used stops the run with its place: an exemption opens a month for
    publication, so it is never guessed."""
    path = raw_dir / "reference" / EXEMPTIONS_FILE
    if not path.is_file():
        return []
    from dagster_project.parse.dates import parse_month
    from dagster_project.parse.errors import CellError

    text = _decode(path)
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in EXEMPTION_COLUMNS if c not in header]
    if missing:
        raise ReferenceFileError(
            f"{path}: missing column(s) {', '.join(missing)} (expected: "
            f"{', '.join(EXEMPTION_COLUMNS)})"
        )
    names = {STATISTICS_SUBMITTER: STATISTICS_SUBMITTER}
    for r in regions:
        code = r["region_code"]
        aliases = [a.strip() for a in (r.get("aliases") or "").split("|")]
        names |= {n: code for n in (code, r.get("region_name"), *aliases) if n}
    found: dict[tuple[str, object], dict] = {}
    for line, raw_row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw_row.items() if k}
        if not any(row.values()):
            continue
        where = f"{path}: row {line}"
        code = names.get(row["region_code"])
        if code is None:
            raise ReferenceFileError(
                f"{where}, column region_code: {row['region_code']!r} is neither a region "
                f"of the regions reference nor {STATISTICS_SUBMITTER}"
            )
        try:
            month = parse_month(row["period_month"], year_only_ok=False)
        except CellError:
            month = None
        if month is None:
            raise ReferenceFileError(
                f"{where}, column period_month: {row['period_month']!r} is not a month "
                "(write it as 2026-10)"
            )
        if not row["reason"]:
            raise ReferenceFileError(f"{where}, column reason: an exemption must say why")
        found.setdefault((code, month), {"region_code": code, "period_month": month,
                                         "reason": row["reason"]})  # fmt: skip
    return list(found.values())


def _decode(path: Path) -> str:
    """A CSV as an operator saves it: UTF-8 (with or without BOM) or, from Excel on a
    Chinese Windows, GB18030."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReferenceFileError(f"{path}: neither UTF-8 nor GB18030 text")
