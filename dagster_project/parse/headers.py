"""Finding the header of a sheet and naming its columns with canonical fields.

Counties put title, 附件 and 单位 rows above the header, merge two or three header rows
(总投资 over 合计 | 其中：中央预算内 | 其中：专项债), and use their own words for the same
column (建设单位 for 项目法人). This module turns that into one `Column` per sheet column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dagster_project.contract import FIELDS, FieldType
from dagster_project.parse.dates import month_in_header
from dagster_project.parse.grid import Grid
from dagster_project.parse.text import clean_text, normalise_header, unit_in_text

# Words that name a part of a parent column rather than a field of their own.
_GENERIC_LEAVES = {"", "合计", "小计", "计", "总计", "金额", "总额", "合计金额", "数额", "总量"}
# Leaves that name an aspect of their parent (立项 › 办结日期): the parent's name joined to
# the leaf is tried before the leaf alone, which may name another list's field (问题台账's
# 办结日期).
_ASPECT_LEAVES = re.compile(
    r"^(申请|申报|受理|办结|批复|取得|完成)(日期|时间)$|^(在线|网上)(办理|审批)$"
)
# Words of a second header row under a merged parent (used when a sheet has no merges,
# as in CSV, to recognise the continuation row).
_SUBHEADER_WORDS = re.compile(
    r"合计|小计|其中|中央预算内|专项债|自筹|贷款|立项|用地|规划|环评|施工许可|申请|发行|"
    r"金额|时间|状态"
)
_HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Column:
    index: int  # 0-based column
    label: str  # the header as the clerk wrote it, parent/child joined with "/"
    field: str | None  # canonical field, None when the header is not recognised
    field_type: FieldType | None
    unit: str | None  # 亿元 / 万元 / 元 stated in this column's header
    percent: bool  # the header says (%)


@dataclass
class Header:
    first_row: int  # 0-based, inclusive
    last_row: int
    columns: list[Column]
    title_lines: list[str] = field(default_factory=list)  # text above the header
    sheet_unit: str | None = None  # unit stated in the title rows
    ytd_month: int | None = None  # the X of "1-X月累计完成投资"
    # (field, the column that counts, a second column with the same field)
    duplicate_columns: list[tuple[str, Column, Column]] = field(default_factory=list)

    def column_for(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


@dataclass(frozen=True)
class FieldPattern:
    name: str
    type: FieldType
    patterns: tuple[re.Pattern, ...]


class FieldMatcher:
    """Header text → the first field whose pattern matches. Header texts repeat across
    every sheet and file, so answers are remembered."""

    def __init__(self, fields: Sequence):
        self.fields = tuple(
            FieldPattern(f.name, f.type, tuple(re.compile(p) for p in f.patterns)) for f in fields
        )
        # One alternation of every pattern answers "no field" in a single search, which
        # is the answer for most cells (project names, amounts) the header search meets.
        self._any = re.compile(
            "|".join(f"(?:{p.pattern})" for fp in self.fields for p in fp.patterns)
        )
        self._known: dict[str, FieldPattern | None] = {}

    def match(self, text: str) -> FieldPattern | None:
        if text not in self._known:
            norm = normalise_header(text)
            found = None
            if norm and self._any.search(norm):
                found = next(
                    (fp for fp in self.fields if any(p.search(norm) for p in fp.patterns)), None
                )
            self._known[text] = found
        return self._known[text]


CONTRACT_FIELDS = FieldMatcher(FIELDS)


def find_header(
    grid: Grid,
    fields: FieldMatcher = CONTRACT_FIELDS,
    min_matches: int = 3,
) -> Header | None:
    """The header block of a sheet, or None when no row looks like a header."""
    anchor, best = None, 0
    for r in range(min(_HEADER_SEARCH_ROWS, len(grid.rows))):
        if anchor is not None and best >= min_matches and r > anchor + 3:
            break  # past the header block: data rows do not score higher
        score = sum(
            1 for v in grid.rows[r] if isinstance(v, str) and len(v) < 60 and fields.match(v)
        )
        if score > best:
            anchor, best = r, score
    if anchor is None or best < min_matches:
        return None

    first, last = _block_from_merges(grid, anchor)
    last = _extend_without_merges(grid, last, fields)
    labels = _column_labels(grid, first, last)
    columns = []
    for col, parts in enumerate(labels):
        fp = _field_of(parts, fields)
        raw_label = "/".join(parts)
        columns.append(
            Column(
                col,
                raw_label,
                fp.name if fp else None,
                fp.type if fp else None,
                unit_in_text(raw_label),
                "%" in raw_label or "％" in raw_label,
            )
        )
    columns, duplicates = _first_of_each_field(columns)
    title_lines = _title_lines(grid, first)
    ytd = next((c for c in columns if c.field == "ytd_completed_wan"), None)
    return Header(
        first,
        last,
        columns,
        title_lines,
        unit_in_text(" ".join(title_lines)),
        month_in_header(ytd.label) if ytd else None,
        duplicates,
    )


def _title_lines(grid: Grid, rows: int) -> list[str]:
    """The texts above the header, one per cell; a label cell ending in a colon takes
    the value of the cell right of it (the template's 填报单位：| 蛟河市 and
    报送月份：| 2026年9月 input cells), a date as the month it names."""
    lines = []
    for r in range(rows):
        taken = -1
        for c, value in enumerate(grid.rows[r]):
            text = clean_text(value)
            if c == taken or text is None:
                continue
            if text[-1] in ":：":
                right = _merge_end(grid, r, c) + 1
                answer = _title_value(grid.cell(r, right))
                if answer is not None and answer[-1] not in ":：":
                    text, taken = text + answer, right
            lines.append(text)
    return lines


def _merge_end(grid: Grid, row: int, col: int) -> int:
    """The last column of the merged range that starts at (row, col), else col."""
    for (r0, c0), (r1, c1) in grid.merged:
        if c0 == col and r0 <= row <= r1:
            return c1
    return col


def _title_value(value: object) -> str | None:
    if isinstance(value, date):  # datetime is a date
        day = f"{value.day}日" if value.day != 1 else ""
        return f"{value.year}年{value.month}月{day}"
    return clean_text(value)


def _block_from_merges(grid: Grid, anchor: int) -> tuple[int, int]:
    """Vertical merges through the anchor row give the header's real extent."""
    first = last = anchor
    for (r0, _c0), (r1, _c1) in grid.merged:
        if r0 <= anchor <= r1 and r1 > r0:
            first, last = min(first, r0), max(last, r1)
    # A parent row above (e.g. 前期手续 merged over 立项…施工许可) with children on the anchor;
    # not the row of 填报单位：… / 报送月份：…, whose merged cells are input boxes.
    for (r0, c0), (r1, c1) in grid.merged:
        if r1 == first - 1 and c1 > c0 and r0 >= first - 2 and not _names_the_report(grid, r1):
            first = r0
    return first, last


_REPORT_LABEL = re.compile(r"(填报|报送|上报)(单位|月份)")


def _names_the_report(grid: Grid, row: int) -> bool:
    return any(isinstance(v, str) and _REPORT_LABEL.search(v) for v in grid.rows[row])


def _extend_without_merges(grid: Grid, last: int, fields: FieldMatcher) -> int:
    """Without merge information (CSV, or merges removed), a row of sub-headers such
    as 合计 | 中央预算内 | 专项债 directly under the header continues it."""
    for _ in range(2):
        nxt = last + 1
        if nxt >= len(grid.rows):
            break
        cells = [v for v in grid.rows[nxt] if v not in ("", None)]
        if len(cells) < 2 or not all(isinstance(v, str) for v in cells):
            break
        if any(re.fullmatch(r"[\d.,，\s]+", v) for v in cells):
            break
        if not any(_SUBHEADER_WORDS.search(normalise_header(v)) for v in cells):
            break
        if any((fp := fields.match(v)) and fp.name == "project_name" for v in cells):
            break
        last = nxt
    return last


def _column_labels(grid: Grid, first: int, last: int) -> list[list[str]]:
    """Header text per column, top to bottom, with merged cells spread over their span
    and, for rows without merges, a parent spread right over the children below it."""
    width = max(
        [grid.width] + [c1 + 1 for (r0, _), (r1, c1) in grid.merged if r0 <= last and r1 >= first]
    )
    block = [
        [clean_text(grid.cell(r, c)) or "" for c in range(width)] for r in range(first, last + 1)
    ]
    for (r0, c0), (r1, c1) in grid.merged:
        if r1 < first or r0 > last:
            continue
        value = clean_text(grid.cell(r0, c0)) or ""
        for r in range(max(r0, first), min(r1, last) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                block[r - first][c] = value
    if not grid.merged:
        for i in range(len(block) - 1):
            for c in range(1, width):
                if not block[i][c] and block[i + 1][c] and block[i][c - 1] and block[i + 1][c - 1]:
                    block[i][c] = block[i][c - 1]
    labels = []
    for c in range(width):
        parts: list[str] = []
        for row in block:
            if row[c] and (not parts or parts[-1] != row[c]):
                parts.append(row[c])
        labels.append(parts)
    return labels


def _field_of(parts: list[str], fields: FieldMatcher) -> FieldPattern | None:
    """The leaf names the field (其中：中央预算内); a generic leaf (合计) or one that
    names only an aspect (状态) defers to its parents, nearest first."""
    if not parts:
        return None
    leaf = parts[-1]
    generic = normalise_header(leaf) in _GENERIC_LEAVES
    candidates = [] if generic else [leaf]
    if _ASPECT_LEAVES.match(normalise_header(leaf)):
        candidates = [parent + leaf for parent in reversed(parts[:-1])] + candidates
    for parent in reversed(parts[:-1]):
        candidates += [parent] if generic else [parent + leaf, parent]
    for text in candidates:
        if fp := fields.match(text):
            return fp
    return None


def _first_of_each_field(columns: list[Column]) -> tuple[list[Column], list[tuple]]:
    """Two columns claiming one field: the first keeps it, the second stays unmapped (its
    values are kept as extra columns, nothing is lost) and is reported as a duplicate:
    (field, the column that counts, the duplicate)."""
    seen: dict[str, Column] = {}
    out, duplicates = [], []
    for c in columns:
        if c.field and c.field in seen:
            duplicates.append((c.field, seen[c.field], c))
            c = Column(c.index, c.label, None, None, c.unit, c.percent)
        elif c.field:
            seen[c.field] = c
        out.append(c)
    return out, duplicates
