"""The county's own workbook returned marked (`<original name>_标注.xlsx`): each offending
cell coloured and commented, a row-level problem shading its row, so the clerk fixes the
file they know. The original is only read, through the same guard as ingestion."""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.ingest.discover import find_by_text
from dagster_project.parse.guards import FileRejected, inspect_file
from dagster_project.publish.county_report.content import (
    ANNOTATED,
    SEVERITY_LABELS,
    Annotation,
    column_number,
    hint_text,
    problem_text,
)
from dagster_project.publish.render.cells import (
    ERROR_FILL,
    ERROR_ROW_FILL,
    WARN_FILL,
    WARN_ROW_FILL,
    safe_cell_value,
    save_workbook_atomically,
    solid_fill,
)
from dagster_project.publish.render.files import safe_file_name
from dagster_project.quality.failures import Failure

# The largest county workbook returned marked up (a county list is tens of kilobytes).
ANNOTATE_MAX_BYTES = 5 * 2**20
ANNOTATED_SUFFIX = "_标注.xlsx"
COMMENT_AUTHOR = "项目库"


def annotate_all(
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
        original = inside(raw_dir, source)
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
            col = column_number(f.column_letter)
        marks[(f.sheet, f.excel_row, col)].append(f)
    for (sheet, row, col), found in marks.items():
        _mark_cell(wb[sheet], row, col, found)
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_workbook_atomically(wb, dest)
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
            cell.fill = solid_fill(colour)


def _mark_cell(ws: Worksheet, row: int, col: int, found: list[Failure]) -> None:
    cell = _anchor(ws, row, col)
    row_level = all(f.column_letter is None for f in found)
    is_error = any(f.is_error for f in found)
    if not row_level:
        cell.fill = solid_fill(ERROR_FILL if is_error else WARN_FILL)
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


def inside(raw_dir: Path, source_file: str) -> Path | None:
    """The original under raw_dir (found by its text when its name is not UTF-8 bytes);
    None for a path that would leave it."""
    root = raw_dir.resolve()
    path = (root / source_file).resolve()
    if not path.is_relative_to(root):
        return None
    return path if path.exists() else find_by_text(root, source_file) or path
