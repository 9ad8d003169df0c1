"""Reference data: the deployment's own under raw/reference/, else the demo city's seeds;
and the project centre's exemptions (raw/reference/exemptions.csv), which have no seed.
`contacts.csv` names whom a county calls at the project centre about its report."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REFERENCE_FILES = ("regions.csv", "department_leaders.csv", "contacts.csv")
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


# The columns each reference file must have (SPEC §8), in any order.
REFERENCE_COLUMNS = {
    "regions.csv": (
        "region_code",
        "region_name",
        "aliases",
        "region_kind",
        "rank_group",
        "parent_code",
        "contact_email",
    ),
    "department_leaders.csv": ("department", "leader"),
    # The project centre's people a county calls about its data-quality report.
    "contacts.csv": ("name", "phone", "email"),
}
# Columns a reference file may have besides those: a department's e-mail address(es), to
# which its list of open issues goes (`xmk department-lists --mail`).
OPTIONAL_COLUMNS = {"department_leaders.csv": ("email",)}
_ADDRESS_SEPARATORS = re.compile(r"[,;，；、\s]+")
_DIGIT = re.compile(r"\d")


def load_reference(raw_dir: Path, name: str) -> tuple[list[dict], str]:
    """The rows of a reference file and a version (hash of the file) to tell when it
    changed. Read as strictly as a submission — UTF-8 (with or without BOM), else
    GB18030 as Excel on a Chinese Windows saves it — with its header and rows checked:
    a reference the pipeline cannot use stops the run at once, naming the file, the row
    and the column (ReferenceFileError)."""
    path = reference_file(raw_dir, name)
    data = path.read_bytes()
    rows = _rows(path, _decode(path), REFERENCE_COLUMNS[name], OPTIONAL_COLUMNS.get(name, ()))
    if name == "regions.csv":
        _check_regions(path, rows)
    elif name == "contacts.csv":
        _check_contacts(path, rows)
    else:
        _check_filled(path, rows, REFERENCE_COLUMNS[name])
    if name == "department_leaders.csv":
        for row in rows:
            _check_email(path, row, "email", several=True)
    return rows, hashlib.sha256(data).hexdigest()[:16]


def load_regions(raw_dir: Path) -> tuple[list[dict], str]:
    return load_reference(raw_dir, "regions.csv")


def department_addresses(raw_dir: Path) -> dict[str, list[str]]:
    """Department -> its e-mail addresses, from the department_leaders reference in force
    (a department without one is not in it)."""
    rows, _version = load_reference(raw_dir, "department_leaders.csv")
    return {row["department"]: addresses(row["email"]) for row in rows if row["email"]}


def addresses(text: str) -> list[str]:
    """The addresses of a cell that may hold several (a@x; b@y)."""
    return [a for a in _ADDRESS_SEPARATORS.split(text or "") if a]


def load_contacts(raw_dir: Path) -> list[dict]:
    """{name, phone, email} of each project-centre contact, in the file's order."""
    rows, _version = load_reference(raw_dir, "contacts.csv")
    return [{c: row[c] for c in REFERENCE_COLUMNS["contacts.csv"]} for row in rows]


def _rows(
    path: Path, text: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[dict]:
    """The rows as {column: stripped text} (an optional column the file lacks reads as
    empty), line numbers as a spreadsheet shows them (the header is row 1) under "_row";
    blank lines skipped."""
    reader = csv.DictReader(text.splitlines())
    header = [(h or "").strip() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReferenceFileError(
            f"{path}: missing column(s) {', '.join(missing)}; the header is "
            f"{', '.join(header) or '(empty)'}, expected {', '.join(columns)}"
        )
    rows = []
    for line, raw_row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items() if k}
        if any(row.values()):
            rows.append({**{c: row.get(c, "") for c in (*columns, *optional)}, "_row": line})
    return rows


def _check_filled(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    for row in rows:
        for column in columns:
            if not row[column]:
                raise ReferenceFileError(f"{path}: row {row['_row']}, column {column} is empty")


def _check_regions(path: Path, rows: list[dict]) -> None:
    _check_filled(path, rows, ("region_code", "region_name", "rank_group"))
    seen: dict[str, int] = {}
    for row in rows:
        code, where = row["region_code"], f"{path}: row {row['_row']}"
        if code in seen:
            raise ReferenceFileError(
                f"{where}, column region_code: {code} is also on row {seen[code]}"
            )
        seen[code] = row["_row"]
        # no address: the county's report waits in the outbox
        _check_email(path, row, "contact_email")


def _check_contacts(path: Path, rows: list[dict]) -> None:
    """A name and a number to call on every row; an e-mail address is optional."""
    _check_filled(path, rows, ("name", "phone"))
    for row in rows:
        if len(_DIGIT.findall(row["phone"])) < 7:
            raise ReferenceFileError(
                f"{path}: row {row['_row']}, column phone: {row['phone']!r} is not a "
                "telephone number"
            )
        _check_email(path, row, "email")


def _check_email(path: Path, row: dict, column: str, several: bool = False) -> None:
    """The column holds one e-mail address (or, `several`, addresses separated by ; or ,),
    or nothing."""
    from email_validator import EmailNotValidError, validate_email

    text = row[column]
    for address in addresses(text) if several else [text] if text else []:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            what = "an e-mail address" if several else "one e-mail address"
            raise ReferenceFileError(
                f"{path}: row {row['_row']}, column {column}: {address!r} is not {what} ({exc})"
            ) from exc


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

    rows = _rows(path, _decode(path), EXEMPTION_COLUMNS)
    names = {STATISTICS_SUBMITTER: STATISTICS_SUBMITTER}
    for r in regions:
        code = r["region_code"]
        aliases = [a.strip() for a in (r.get("aliases") or "").split("|")]
        names |= {n: code for n in (code, r.get("region_name"), *aliases) if n}
    found: dict[tuple[str, object], dict] = {}
    for row in rows:
        where = f"{path}: row {row['_row']}"
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
