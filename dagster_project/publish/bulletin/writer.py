"""The month's 通报 under `<out>/bulletin/<YYYY-MM>/`, four renderings of one Bulletin:

* `投资攻坚擂台通报_<YYYY年M月>.docx` — the document as issued (文号, 签发日期, 落款);
* `….pdf` — the same, converted by LibreOffice (A4, fonts embedded);
* `….html` — one self-contained page, and `地区/<code>.html`, a page per region listing
  the projects behind its figures with the file, sheet and Excel row each came from;
* `….xlsx` — a sheet per section, every red warning listed.

Each file is replaced whole, never half-written. A bulletin made from the same content,
configuration and code is left as it is, to the byte (`.bulletin.json` keeps its digest
and its 签发日期): a night with nothing new changes nothing that was published."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import duckdb

from dagster_project.publish.bulletin import drilldown
from dagster_project.publish.bulletin.content import read_content
from dagster_project.publish.bulletin.issuance import read_issuance_config
from dagster_project.publish.bulletin.page import bulletin_page
from dagster_project.publish.bulletin.pdf import PdfUnavailable, docx_to_pdf, office_command
from dagster_project.publish.bulletin.sections import compose
from dagster_project.publish.bulletin.tables import REGIONS_DIR
from dagster_project.publish.bulletin.word import bulletin_docx
from dagster_project.publish.bulletin.workbook import write_bulletin_workbook
from dagster_project.publish.render.files import write_atomically
from dagster_project.publish.render.labels import month_label
from dagster_project.settings import BEIJING

BULLETIN_DIR = "bulletin"
TITLE = "投资攻坚擂台通报"
STATE = ".bulletin.json"
_PACKAGE = Path(__file__).resolve().parent
_TEMPLATES = _PACKAGE.parent / "templates" / "bulletin"


@dataclass(frozen=True)
class BulletinFiles:
    period_month: date
    docx: Path
    pdf: Path
    html: Path
    xlsx: Path
    regions: tuple[Path, ...]
    written: bool = True  # False: the month's bulletin already said exactly this
    pdf_problem: str | None = None  # why there is no PDF, when there is none

    @property
    def all(self) -> tuple[Path, ...]:
        return (self.docx, self.pdf, self.html, self.xlsx)


def bulletin_dir(out_dir: Path, period_month: date) -> Path:
    return Path(out_dir) / BULLETIN_DIR / f"{period_month.replace(day=1):%Y-%m}"


def _files(out_dir: Path, month: date, regions: tuple[Path, ...] = ()) -> BulletinFiles:
    directory = bulletin_dir(out_dir, month)
    stem = directory / f"{TITLE}_{month_label(month)}"
    return BulletinFiles(
        period_month=month,
        docx=stem.with_suffix(".docx"),
        pdf=stem.with_suffix(".pdf"),
        html=stem.with_suffix(".html"),
        xlsx=stem.with_suffix(".xlsx"),
        regions=regions,
    )


def layout_digest() -> str:
    """The code and templates that lay the bulletin out are part of what it is made of."""
    digest = hashlib.sha256()
    for path in sorted([*_PACKAGE.glob("*.py"), *_TEMPLATES.glob("*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_bulletin(
    con: duckdb.DuckDBPyConnection,
    period_month: date,
    out_dir: Path,
    reference_dir: Path | None = None,
    today: date | None = None,
) -> BulletinFiles:
    """Write the month's bulletin from the marts behind `con` (opened read-only by the
    caller). Raises LookupError when the month has no 擂台."""
    content = read_content(con, period_month)
    month = content.period_month
    config = read_issuance_config(reference_dir or Path("raw/reference"))
    projects = drilldown.read_region_projects(con, month)
    fingerprint = hashlib.sha256(
        f"{layout_digest()}\0{content!r}\0{config!r}\0{projects!r}".encode()
    ).hexdigest()
    files = _files(out_dir, month)
    state_path = files.html.parent / STATE
    state = _read_state(state_path)
    wanted = [files.docx, files.html, files.xlsx] + ([files.pdf] if office_command() else [])
    if state.get("fingerprint") == fingerprint and all(f.is_file() for f in wanted):
        pages = tuple(sorted((files.html.parent / REGIONS_DIR).glob("*.html")))
        return replace(files, regions=pages, written=False)
    written_on = today or datetime.now(BEIJING).date()
    issuance = config.issuance(month, written_on)
    document = compose(content, issuance, config.next_steps)
    files.html.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(files.docx, bulletin_docx(document))
    pdf_problem = None
    try:
        docx_to_pdf(files.docx, files.pdf)
    except PdfUnavailable as exc:
        pdf_problem = str(exc)
    write_atomically(files.html, bulletin_page(document))
    write_bulletin_workbook(
        files.xlsx, compose(content, issuance, config.next_steps, full_lists=True)
    )
    regions = drilldown.write_region_pages(
        files.html.parent / REGIONS_DIR, document, projects, back=files.html.name
    )
    write_atomically(
        state_path,
        json.dumps({"fingerprint": fingerprint, "issue_date": issuance.issue_date.isoformat()}),
    )
    return BulletinFiles(
        period_month=month,
        docx=files.docx,
        pdf=files.pdf,
        html=files.html,
        xlsx=files.xlsx,
        regions=regions,
        pdf_problem=pdf_problem,
    )


def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}
