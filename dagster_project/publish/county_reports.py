"""County data-quality reports (SPEC §4): for one submitter and one month, under
`<out>/reports/<YYYY-MM>/<code>_<name>/`,

* `数据质量报告_<name>_<YYYY年M月>.xlsx` — a 汇总 sheet (verdict; by when to send the
  corrected file, under which name, whom to call; counts by file and sheet and by rule,
  file-level problems, which workbooks came back annotated) and a 明细 sheet with one row
  per failure;
* the same report as self-contained HTML;
* `<original name>_标注.xlsx` — the county's own workbook with each offending cell
  coloured and commented, so the clerk fixes the file they know instead of reading
  coordinates.

What the clerk reads is Chinese: a problem is named by its rule's Chinese name
(quality/rules.py) and a refusal by its Chinese reason; the rule ids and the refusals'
English glosses go to the last column, 规则编号, for the project centre.

A report holds only its own region's rows: `write_county_report` refuses anything else,
and `write_all_reports` groups failures by (region, month) before writing. Every report
cell is written through `write_text_cell`, so nothing a county typed can become a formula.

A report is written again only when what it would say has changed: `.report.json` in its
folder keeps a digest of its inputs (the failures, the bytes of each workbook it marks,
the region, the month, the guidance it gives and this module's code). A nightly run with
nothing new leaves every report, and its modification time, as it was.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.contract import FIELD_BY_NAME
from dagster_project.ingest.discover import find_by_text
from dagster_project.ingest.reference import load_contacts
from dagster_project.parse.guards import FileRejected, inspect_file, split_gloss
from dagster_project.quality.failures import (
    COUNTY_KINDS,
    ERROR,
    WARN,
    Failure,
    is_for_the_centre,
    report_month,
    warehouse_failures,
)
from dagster_project.quality.rules import rule_hint, rule_name

REPORTS_DIR = "reports"
# The largest county workbook returned marked up (a county list is tens of kilobytes).
ANNOTATE_MAX_BYTES = 5 * 2**20
SUMMARY_SHEET = "汇总"
DETAIL_SHEET = "明细"
DETAIL_HEADERS = (
    "文件",
    "工作表",
    "行号",
    "列",
    "字段(表头)",
    "填报值",
    "问题",
    "级别",
    "修改建议",
    "规则编号",
)
DETAIL_WIDTHS = (34, 16, 7, 5, 24, 24, 26, 7, 64, 30)
# The column for the project centre: the rule id, and a refusal's English gloss.
RULE_ID_HEADER = "规则编号"
SEVERITY_LABELS = {"error": "错误", "warn": "警告"}
NO_ERRORS = "无错误"
ANNOTATED_SUFFIX = "_标注.xlsx"
ANNOTATED = "问题单元格已标色并加批注"
REPORT_PREFIX = "数据质量报告_"
COMMENT_AUTHOR = "项目库"
REPORT_STATE = ".report.json"
# A change to how reports are laid out writes every report again.
_LAYOUT_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

# Cell colours in the returned workbook: strong for the offending cell, light for a row
# whose problem has no single column.
ERROR_FILL = "FFFF7C80"
WARN_FILL = "FFFFFF00"
ERROR_ROW_FILL = "FFFFE4E4"
WARN_ROW_FILL = "FFFFFBD6"

# SPEC §9: monthly lists are due on the 5th of the following month (the template says
# 每月5日前报送上月情况); a deployment with another day sets XMK_SUBMISSION_DAY.
SUBMISSION_DAY_ENV = "XMK_SUBMISSION_DAY"
DEFAULT_SUBMISSION_DAY = 5
CORRECTED_SUFFIX = "_更正"
CENTRE = "市发改委项目中心"
# A spreadsheet reads text starting with these as a formula (or, for tab and CR, as the
# start of one once pasted into a cell).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


# --------------------------------------------------------------------------- safe cells


def safe_cell_value(value):
    """What a report cell may hold: numbers and dates unchanged; anything else as text the
    xlsx format can store (control characters replaced, CR as LF — XML turns a bare CR
    into LF on reading anyway — and at most Excel's 32,767 characters)."""
    if value is None or isinstance(value, bool | int | float | date):
        return value
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return text[:_MAX_CELL_CHARS]


def write_text_cell(ws: Worksheet, row: int, column: int, value):
    """Write one report cell; text always stays text. openpyxl stores any string starting
    with "=" as a formula, so the type is forced back to string, and quotePrefix keeps
    Excel from reading it as a formula when the clerk edits the cell. The visible text is
    exactly the value."""
    value = safe_cell_value(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


# --------------------------------------------------------------------------- wording


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def verdict(errors: int) -> str:
    return f"存在{errors}项错误，须修改后重新报送" if errors else NO_ERRORS


def problem_text(failure: Failure) -> str:
    """The 问题 column: the rule's Chinese name."""
    return rule_name(failure.rule)


def hint_text(failure: Failure) -> str:
    """The 修改建议 column: the failure's own hint (a refusal's without its English gloss),
    else the rule's general one."""
    hint = split_gloss(failure.hint)[0] if failure.hint else None
    return hint or rule_hint(failure.rule) or ""


def rule_id_text(failure: Failure) -> str:
    """The 规则编号 column, for the project centre: the rule id, and the English gloss of
    a refusal (rejected_file [encrypted workbook])."""
    gloss = split_gloss(failure.hint)[1] if failure.hint else None
    return f"{failure.rule} [{gloss}]" if gloss else failure.rule


@dataclass(frozen=True)
class Guidance:
    """What a report tells a county about putting things right: the day of the following
    month monthly lists are due, and whom to call at the project centre."""

    submission_day: int = DEFAULT_SUBMISSION_DAY
    contacts: tuple[tuple[str, str, str], ...] = ()  # (name, phone, e-mail)


def report_guidance(raw_dir: Path, environ: dict | None = None) -> Guidance:
    """The guidance of a run: the contacts of raw/reference/contacts.csv (else the demo
    city's), the due day from XMK_SUBMISSION_DAY (1–28, default 5)."""
    contacts = tuple((c["name"], c["phone"], c["email"]) for c in load_contacts(raw_dir))
    return Guidance(submission_day(environ), contacts)


def submission_day(environ: dict | None = None) -> int:
    """The day of the following month a month's lists are due: XMK_SUBMISSION_DAY (1–28),
    default 5."""
    environ = os.environ if environ is None else environ
    text = (environ.get(SUBMISSION_DAY_ENV) or "").strip()
    if not text:
        return DEFAULT_SUBMISSION_DAY
    if not text.isdigit() or not 1 <= int(text) <= 28:
        raise ValueError(f"{SUBMISSION_DAY_ENV} must be a day from 1 to 28, not {text!r}")
    return int(text)


def resubmission_deadline(month: date, submission_day: int) -> date:
    """A month's lists are due on `submission_day` of the month after: a correction too."""
    return date(month.year + month.month // 12, month.month % 12 + 1, submission_day)


def corrected_file_name(region: dict, month: date) -> str:
    """The name a corrected workbook is sent under, beside the first one in the month's
    folder: 220281_蛟河市_2026年10月_更正.xlsx (the code and the name say who, discovery
    reads the month from the folder, the later received file counts)."""
    stem = f"{region['region_code']}_{region['region_name']}_{month_label(month)}"
    return safe_file_name(stem + CORRECTED_SUFFIX) + ".xlsx"


def guidance_lines(
    region: dict, month: date, errors: int, warns: int, guidance: Guidance
) -> tuple[str, ...]:
    """By when to send the corrected file, under which name, and whom to call."""
    lines = []
    if errors or warns:
        due = resubmission_deadline(month, guidance.submission_day)
        when = f"{due.year}年{due.month}月{due.day}日前"
        lines.append(
            f"重新报送期限：请于{when}修改后重新报送（每月{guidance.submission_day}日前报送上月数据）。"
            if errors
            else f"如核实后需要更正，请于{when}重新报送。"
        )
        lines.append(
            f"更正文件命名：{corrected_file_name(region, month)}（在原工作簿上修改后另存为此名，"
            "不要覆盖原文件；同一月份以最后收到的文件为准）。"
        )
    people = "；".join(" ".join(p for p in contact if p) for contact in guidance.contacts)
    lines.append(f"联系人：{CENTRE} {people}。" if people else f"如有疑问请联系{CENTRE}。")
    return tuple(lines)


def field_text(failure: Failure) -> str:
    """The 字段(表头) column: the header as the county wrote it, else the template's."""
    if failure.header:
        return failure.header
    known = FIELD_BY_NAME.get(failure.field or "")
    return known.header if known else failure.field or ""


def _column_number(letter: str | None) -> int:
    return column_index_from_string(letter) if letter else 0


def detail_order(failure: Failure) -> tuple:
    """File, sheet, row, column (B before AA), then rule."""
    return (
        failure.source_file,
        failure.sheet or "",
        failure.excel_row or 0,
        _column_number(failure.column_letter),
        failure.rule,
    )


def safe_file_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "_"


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Table:
    heading: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class Annotation:
    source_file: str
    annotated_name: str | None  # None: could not be annotated, see note
    note: str


@dataclass(frozen=True)
class ReportContent:
    """What both the .xlsx and the .html show, built once."""

    title: str
    facts: tuple[str, ...]
    verdict: str
    errors: int
    warnings: int
    guidance: tuple[str, ...]  # by when, under which name, whom to call
    summary_tables: tuple[Table, ...]
    notes: tuple[str, ...]
    detail: Table
    detail_severities: tuple[str, ...]  # per detail row, for colouring
    by_sheet: tuple[tuple[str, str, int, int], ...]  # (file, sheet, errors, warnings)


def report_content(
    region: dict,
    month: date,
    failures: Sequence[Failure],
    annotations: Sequence[Annotation],
    guidance: Guidance = Guidance(),
) -> ReportContent:
    ordered = sorted(failures, key=detail_order)
    errors = sum(f.is_error for f in ordered)
    warns = len(ordered) - errors

    by_sheet: dict[tuple[str, str], Counter] = defaultdict(Counter)
    by_rule: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for f in ordered:
        by_sheet[(f.source_file, f.sheet or "（整个文件）")][f.severity] += 1
        by_rule[(problem_text(f), f.rule)][f.severity] += 1  # one name, one rule
    sheet_rows = tuple(
        (file, sheet, c[ERROR], c[WARN]) for (file, sheet), c in sorted(by_sheet.items())
    )
    rule_rows = tuple(
        (label, c[ERROR], c[WARN], rule)
        for (label, rule), c in sorted(by_rule.items(), key=lambda kv: (-kv[1][ERROR], kv[0]))
    )
    tables = [
        Table(
            "按文件和工作表",
            ("文件", "工作表", "错误", "警告"),
            (*sheet_rows, ("合计", "", errors, warns)),
        ),
        Table("按问题", ("问题", "错误", "警告", RULE_ID_HEADER), rule_rows),
    ]
    file_level = [f for f in ordered if f.excel_row is None]
    if file_level:
        tables.append(
            Table(
                "文件级问题",
                ("文件", "问题", "级别", "修改建议"),
                tuple(
                    (f.source_file, problem_text(f), SEVERITY_LABELS[f.severity], hint_text(f))
                    for f in file_level
                ),
            )
        )
    if annotations:
        tables.append(
            Table(
                "退回的标注文件",
                ("原文件", "标注文件", "说明"),
                tuple(
                    (a.source_file, a.annotated_name or "（未标注）", a.note) for a in annotations
                ),
            )
        )
    detail = Table(
        DETAIL_SHEET,
        DETAIL_HEADERS,
        tuple(
            (
                f.source_file,
                f.sheet or "",
                f.excel_row,
                f.column_letter or "",
                field_text(f),
                f.value,
                problem_text(f),
                SEVERITY_LABELS[f.severity],
                hint_text(f),
                rule_id_text(f),
            )
            for f in ordered
        ),
    )
    return ReportContent(
        title=f"数据质量报告：{region['region_name']} {month_label(month)}",
        facts=(
            f"报送单位：{region['region_name']}（{region['region_code']}）",
            f"报送月份：{month_label(month)}",
        ),
        verdict=verdict(errors),
        errors=errors,
        warnings=warns,
        guidance=guidance_lines(region, month, errors, warns, guidance),
        summary_tables=tuple(tables),
        notes=(
            "“明细”表逐项列出问题所在的文件、工作表、Excel行号和列，请按“修改建议”修改原工作簿后重新报送。",
            "“错误”须修改后重新报送，否则本月数据不予发布；“警告”请核实，确认无误的可不修改。",
            "退回的标注文件中，错误单元格标红、警告单元格标黄，鼠标移到单元格上可查看批注。",
            f"“{RULE_ID_HEADER}”列供{CENTRE}查找检查规则，填报时无需理会。",
        ),
        detail=detail,
        detail_severities=tuple(f.severity for f in ordered),
        by_sheet=sheet_rows,
    )


# --------------------------------------------------------------------------- .xlsx


_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_report_workbook(path: Path, content: ReportContent) -> None:
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    _write_summary(summary, content)
    _write_detail(wb.create_sheet(DETAIL_SHEET), content)
    _save_atomically(wb, path)


def _write_summary(ws: Worksheet, content: ReportContent) -> None:
    write_text_cell(ws, 1, 1, content.title).font = Font(bold=True, size=14)
    row = 2
    for fact in content.facts:
        write_text_cell(ws, row, 1, fact)
        row += 1
    colour = "FFC00000" if content.errors else "FF007A33"
    write_text_cell(ws, row, 1, f"结论：{content.verdict}").font = Font(
        bold=True, size=12, color=colour
    )
    write_text_cell(ws, row + 1, 1, f"错误 {content.errors} 项，警告 {content.warnings} 项")
    row += 2
    for line in content.guidance:
        write_text_cell(ws, row, 1, line).font = _BOLD
        row += 1
    row += 1
    for table in content.summary_tables:
        write_text_cell(ws, row, 1, table.heading).font = Font(bold=True, size=12)
        row += 1
        for col, header in enumerate(table.headers, start=1):
            cell = write_text_cell(ws, row, col, header)
            cell.font, cell.fill = _BOLD, _HEADER_FILL
        row += 1
        if not table.rows:
            write_text_cell(ws, row, 1, "（无）")
            row += 1
        for values in table.rows:
            for col, value in enumerate(values, start=1):
                write_text_cell(ws, row, col, value).alignment = _WRAP
            row += 1
        row += 1
    write_text_cell(ws, row, 1, "说明").font = _BOLD
    for offset, note in enumerate(content.notes, start=1):
        write_text_cell(ws, row + offset, 1, note)
    for col, width in enumerate((40, 36, 10, 48), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _write_detail(ws: Worksheet, content: ReportContent) -> None:
    for col, header in enumerate(content.detail.headers, start=1):
        cell = write_text_cell(ws, 1, col, header)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = DETAIL_WIDTHS[col - 1]
    severity_col = DETAIL_HEADERS.index("级别") + 1
    for r, (values, severity) in enumerate(
        zip(content.detail.rows, content.detail_severities, strict=True), start=2
    ):
        for col, value in enumerate(values, start=1):
            write_text_cell(ws, r, col, value).alignment = _WRAP
        ws.cell(r, severity_col).fill = _fill(ERROR_FILL if severity == ERROR else WARN_FILL)
    last = get_column_letter(len(content.detail.headers))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(1, len(content.detail.rows) + 1)}"


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def _save_atomically(wb: Workbook, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- .html

_CSS = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "SimSun",
       sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #999; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #ddebf7; }
td.num { text-align: right; }
.verdict { font-size: 18px; font-weight: bold; }
.verdict.bad { color: #c00000; } .verdict.good { color: #007a33; }
tr.error td.sev { background: #ff7c80; } tr.warn td.sev { background: #ffff00; }
td.value { white-space: pre-wrap; }
.guidance { border-left: 4px solid #2f6fb3; background: #f2f7fc; padding: 4px 12px; }
.guidance p { margin: 6px 0; font-weight: bold; }
th.rule, td.rule { color: #777; font-size: 11px; }
"""


def render_html(content: ReportContent) -> str:
    """A self-contained page (inline CSS, no external address); every value escaped."""
    e = escape_html
    parts = [
        *html_page_start(content.title, _CSS),
        *(f"<p>{e(fact)}</p>" for fact in content.facts),
        f'<p class="verdict {"bad" if content.errors else "good"}">结论：{e(content.verdict)}</p>',
        f"<p>错误 {content.errors} 项，警告 {content.warnings} 项</p>",
        '<div class="guidance">',
        *(f"<p>{e(line)}</p>" for line in content.guidance),
        "</div>",
    ]
    for table in content.summary_tables:
        parts += [f"<h2>{e(table.heading)}</h2>", _html_table(table)]
    parts.append(f"<h2>{e(content.detail.heading)}</h2>")
    parts.append(_html_table(content.detail, content.detail_severities))
    parts.append("<h2>说明</h2><ul>")
    parts += [f"<li>{e(note)}</li>" for note in content.notes]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"


def _html_table(table: Table, severities: Sequence[str] | None = None) -> str:
    if not table.rows:
        return "<p>（无）</p>"
    head = "".join(
        f'<th class="rule">{escape_html(h)}</th>'
        if h == RULE_ID_HEADER
        else f"<th>{escape_html(h)}</th>"
        for h in table.headers
    )
    body = []
    for i, values in enumerate(table.rows):
        row_class = f' class="{severities[i]}"' if severities else ""
        cells = []
        for header, value in zip(table.headers, values, strict=True):
            css = {"级别": "sev", "填报值": "value", RULE_ID_HEADER: "rule"}.get(header, "")
            if isinstance(value, int | float):
                css = "num"
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{escape_html(value)}</td>")
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def escape_html(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def html_page_start(title: str, css: str) -> list[str]:
    """The head of a self-contained Chinese page, its <body> opened and the title as h1."""
    return [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape_html(title)}</title><style>{css}</style></head><body>",
        f"<h1>{escape_html(title)}</h1>",
    ]


# --------------------------------------------------------------------------- annotation


def annotate_workbook(original: Path, failures: Sequence[Failure], dest: Path) -> str | None:
    """Save a copy of the county's workbook with its failures marked; the original is only
    read. Returns a note when some failures could not be placed, else None. Raises
    FileRejected for a file the ingestion guard refuses."""
    data = original.read_bytes()
    inspect_file(original.name, data)  # the same guard as ingestion, before openpyxl
    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (extension lists); the copy is
        # only for marking, the county keeps its original.
        warnings.simplefilter("ignore")
        wb = load_workbook(io.BytesIO(data))
    missing_sheets = set()
    marks: dict[tuple[str, int, int], list[Failure]] = defaultdict(list)
    for f in failures:
        if f.excel_row is None:
            continue
        if f.sheet not in wb.sheetnames:
            missing_sheets.add(f.sheet or "")
            continue
        ws = wb[f.sheet]
        if f.column_letter is None:
            _shade_row(ws, f.excel_row, f.is_error)
            col = ws.min_column
        else:
            col = _column_number(f.column_letter)
        marks[(f.sheet, f.excel_row, col)].append(f)
    for (sheet, row, col), found in marks.items():
        _mark_cell(wb[sheet], row, col, found)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _save_atomically(wb, dest)
    if missing_sheets:
        names = "、".join(sorted(missing_sheets))
        return f"已标注；工作表“{names}”在文件中未找到，其问题请见明细"
    return None


def _anchor(ws: Worksheet, row: int, col: int):
    """The cell that carries a mark: the top-left of a merged range (where Excel keeps
    the value and comment), else the cell itself."""
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _shade_row(ws: Worksheet, row: int, is_error: bool) -> None:
    colour = ERROR_ROW_FILL if is_error else WARN_ROW_FILL
    for col in range(ws.min_column, ws.max_column + 1):
        cell = ws.cell(row=row, column=col)
        if isinstance(cell, MergedCell):
            continue
        current = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
        if current != ERROR_ROW_FILL:  # an error's shade is not weakened by a warning's
            cell.fill = _fill(colour)


def _mark_cell(ws: Worksheet, row: int, col: int, found: list[Failure]) -> None:
    cell = _anchor(ws, row, col)
    row_level = all(f.column_letter is None for f in found)
    is_error = any(f.is_error for f in found)
    if not row_level:
        cell.fill = _fill(ERROR_FILL if is_error else WARN_FILL)
    lines = []
    for f in sorted(found, key=lambda f: (not f.is_error, f.rule)):
        scope = "本行：" if f.column_letter is None else ""
        lines.append(f"【{SEVERITY_LABELS[f.severity]}】{scope}{problem_text(f)}")
        if hint := hint_text(f):
            lines.append(f"修改建议：{hint}")
    text = safe_cell_value("\n".join(lines))
    if cell.comment is not None:  # keep the county's own note above ours
        text = f"{cell.comment.text}\n——\n{text}"
    comment = Comment(text, COMMENT_AUTHOR)
    comment.width = 320
    comment.height = min(400, 40 + 18 * (text.count("\n") + 1))
    cell.comment = comment


def _inside(raw_dir: Path, source_file: str) -> Path | None:
    """The original under raw_dir (found by its text when its name is not UTF-8 bytes);
    None for a path that would leave it."""
    root = raw_dir.resolve()
    path = (root / source_file).resolve()
    if not path.is_relative_to(root):
        return None
    return path if path.exists() else find_by_text(root, source_file) or path


# --------------------------------------------------------------------------- one report


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
    directory.mkdir(parents=True, exist_ok=True)
    fingerprint = report_fingerprint(region, month, failures, raw_dir, guidance)
    unchanged = _stored_report(directory, fingerprint, region, month)
    if unchanged is not None:
        return unchanged
    before = set(directory.iterdir())

    annotations, annotated = _annotate_all(directory, failures, raw_dir)
    content = report_content(region, month, failures, annotations, guidance)
    stem = safe_file_name(f"{REPORT_PREFIX}{region['region_name']}_{month_label(month)}")
    html_path = directory / f"{stem}.html"
    html_bytes = render_html(content).encode("utf-8")
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_bytes(html_bytes)
    os.replace(tmp, html_path)
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
    _store_report(files, fingerprint)
    return files


def report_fingerprint(
    region: dict,
    month: date,
    failures: Sequence[Failure],
    raw_dir: Path,
    guidance: Guidance = Guidance(),
) -> str:
    """Digest of everything a report is made from; equal digests mean equal reports."""
    digest = hashlib.sha256(_LAYOUT_DIGEST.encode())
    digest.update(f"{region['region_code']}\0{region['region_name']}\0{month}".encode())
    digest.update(json.dumps(asdict(guidance), ensure_ascii=False).encode())
    for line in sorted(json.dumps(asdict(f), default=str, sort_keys=True) for f in failures):
        digest.update(line.encode())
    for source in sorted({f.source_file for f in failures if f.excel_row is not None}):
        original = _inside(raw_dir, source)
        found = original is not None and original.is_file()
        content = hashlib.sha256(original.read_bytes()).hexdigest() if found else "absent"
        digest.update(f"\0{source}\0{content}".encode())
    return digest.hexdigest()


def _store_report(files: ReportFiles, fingerprint: str) -> None:
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
    path = files.directory / REPORT_STATE
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _stored_report(
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


def _annotate_all(
    directory: Path, failures: Sequence[Failure], raw_dir: Path
) -> tuple[list[Annotation], list[Path]]:
    by_file: dict[str, list[Failure]] = defaultdict(list)
    for f in failures:
        if f.excel_row is not None:  # file-level problems are for the summary only
            by_file[f.source_file].append(f)
    annotations, written, used = [], [], set()
    for source in sorted(by_file):
        posix = PurePosixPath(source)
        if posix.suffix.lower() != ".xlsx":
            note = f"{posix.suffix or '该'}文件无法退回标注，请对照“明细”表修改"
            annotations.append(Annotation(source, None, note))
            continue
        original = _inside(raw_dir, source)
        if original is None or not original.is_file():
            annotations.append(Annotation(source, None, "原文件不在raw目录中，未标注"))
            continue
        size = original.stat().st_size
        if size > ANNOTATE_MAX_BYTES:
            # openpyxl holds a whole workbook in memory: one of many styled empty rows
            # would take gigabytes and minutes.
            note = f"原文件较大（{size / 2**20:.1f} MB），未退回标注，请对照“明细”表修改"
            annotations.append(Annotation(source, None, note))
            continue
        name = safe_file_name(posix.stem) + ANNOTATED_SUFFIX
        if name in used:  # weekly files keep one name across week folders
            name = safe_file_name(f"{posix.parent.name}_{posix.stem}") + ANNOTATED_SUFFIX
        used.add(name)
        try:
            note = annotate_workbook(original, by_file[source], directory / name)
        except FileRejected as exc:
            annotations.append(Annotation(source, None, f"原文件无法打开，未标注：{exc}"))
            continue
        except Exception as exc:  # one workbook openpyxl cannot read must not stop a report
            note = f"原文件无法打开，未标注（{type(exc).__name__}），请对照“明细”表修改"
            annotations.append(Annotation(source, None, note))
            continue
        written.append(directory / name)
        annotations.append(Annotation(source, name, note or ANNOTATED))
    return annotations, written


# --------------------------------------------------------------------------- all reports


@dataclass(frozen=True)
class ReportRun:
    reports: tuple[ReportFiles, ...]
    # Failures no county report can carry: the submitter is unknown or not in regions.
    unattributed: tuple[Failure, ...]


def submitted_periods(con, period_month: date | None = None) -> set[tuple[str, date]]:
    """(region, month) of every county file received, loaded or refused, so that a
    submitter with nothing wrong still gets its 无错误 report."""
    rows = con.execute(
        """
        select distinct region_code, period_month, period_week
        from raw.file_manifest
        where region_code is not null and list_contains(?, kind)
        """,
        [list(COUNTY_KINDS)],
    ).fetchall()
    found = {(code, report_month(pm, pw)) for code, pm, pw in rows}
    return {(code, m) for code, m in found if m and (period_month is None or m == period_month)}


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
        failures = warehouse_failures(con_or_failures, period_month)
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
    reports = tuple(
        write_county_report(out_dir, by_code[code], m, groups.get((code, m), []), raw_dir, guidance)
        for code, m in sorted(keys)
    )
    return ReportRun(reports, tuple(sorted(unattributed, key=detail_order)))
