"""One sheet of a county list → typed rows, quarantined rows and structural rows.

Every value is converted to its canonical type (amounts to 万元, dates to months, flags
to booleans); the text the clerk typed is kept beside any value that was transformed.
A cell that cannot be read is quarantined as a cell, with its value and reason: the row
loads with that field empty, so its other values count and its other problems are
reported too. The severity of an unreadable cell is the contract's for its field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from dagster_project.contract import FUNDING_SOURCES, FieldType, field_severity
from dagster_project.parse import amounts, codes, dates, flags
from dagster_project.parse.errors import CellError
from dagster_project.parse.grid import Grid, column_letter
from dagster_project.parse.headers import Column, Header
from dagster_project.parse.rows import classify
from dagster_project.parse.text import clean_text

# Columns that only a project row fills; a section heading leaves them empty.
_IDENTITY_FIELDS = {
    "project_code",
    "project_owner",
    "location",
    "responsible_person",
    "contact_phone",
    "construction_type",
    "issue_department",
    "issue_description",
    "region",
}
# A 其中 amount under 总投资 > 0 means the project draws on that source.
_SUB_AMOUNT_SOURCES = {
    "central_budget_wan": "中央预算内",
    "special_bond_funding_wan": "专项债",
    "self_funded_wan": "自筹",
    "loan_wan": "贷款",
}
# Excel's limit for one cell: a longer text did not come from Excel, and no report could
# show it whole.
MAX_CELL_CHARS = 32_767
# What a quarantined value keeps of a cell, and of each cell of its row.
_KEPT_CHARS = 1_000


def _too_long(text: str) -> str:
    return (
        f"单元格内容长达{len(text)}字符，超过Excel单元格上限（{MAX_CELL_CHARS}字符），未读取；"
        "请精简后重新报送"
    )


UNCACHED_FORMULA_REASON = (
    "公式单元格没有计算结果（文件可能由非Excel软件生成），请在Excel中打开后保存，或直接填写数值"
)


@dataclass
class ParsedSheet:
    sheet_name: str
    list_key: str | None
    status: str  # loaded | ignored
    reason: str | None = None
    header_rows: str | None = None  # Excel rows, e.g. "4-5"
    unit: str | None = None
    ytd_month: int | None = None
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    structural: list[dict] = field(default_factory=list)
    rows_read: int = 0
    unmapped_columns: list[str] = field(default_factory=list)
    # {field: {"column": "D", "header": "建设单位"}}: where each field sits in the sheet,
    # so a data-quality report can point at the cell.
    field_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    # Problems of the sheet's layout (a field in two columns), each a dict with rule,
    # field, column, header, excel_row, value and reason.
    sheet_problems: list[dict] = field(default_factory=list)

    @property
    def rows_quarantined(self) -> int:
        """Rows kept out of the list altogether (a statistics row naming no region)."""
        return len({q["excel_row"] for q in self.quarantine if not q["row_loaded"]})

    @property
    def cells_quarantined(self) -> int:
        """Unreadable cells of rows that loaded with those fields empty."""
        return sum(1 for q in self.quarantine if q["row_loaded"])


def convert(value: object, column: Column, default_unit: str) -> tuple[dict, bool]:
    """A cell → {field: typed value, …} and whether the value differs from the cell.

    Raises CellError when the cell cannot be read.
    """
    name, kind = column.field, column.field_type
    if kind == FieldType.AMOUNT:
        amount, changed = amounts.parse_amount(value, column.unit or default_unit)
        return {name: amount}, changed
    if kind == FieldType.APPROVAL:
        state, month = flags.parse_approval(value)
        return {name: state, f"{name}_month": month}, True
    if kind == FieldType.MONTH_RANGE:
        start, end = dates.parse_month_range(value)
        return {"planned_start": start, "planned_completion": end}, True
    if kind == FieldType.PERCENT:
        return {name: amounts.parse_percent(value, column.percent)}, True
    parser: Callable[[object], object] = _PARSERS[kind]
    typed = parser(value)
    if isinstance(value, str):
        return {name: typed}, typed != value
    # A number or date cell shown as the same text (序号 1 -> "1") was not transformed.
    return {name: typed}, typed != value and clean_text(value) != typed


_PARSERS: dict[FieldType, Callable[[object], object]] = {
    FieldType.TEXT: clean_text,
    FieldType.CODE: codes.normalise_project_code,
    FieldType.RATIO: amounts.parse_number,
    FieldType.INTEGER: amounts.parse_integer,
    FieldType.MONTH: dates.parse_month,
    FieldType.DAY: dates.parse_day,
    FieldType.FLAG: flags.parse_flag,
    FieldType.FUNDING: flags.parse_funding_sources,
    FieldType.CONSTRUCTION_TYPE: flags.parse_construction_type,
    FieldType.LIBRARY_LEVEL: flags.parse_library_level,
}


class _Slot(NamedTuple):
    """How one column of a sheet is read. `memo` keeps each distinct cell value's
    conversion (or the reason it failed): within a sheet the same 是, 2024.3 or 审批 comes
    back row after row, and the conversion depends only on the value and the column."""

    index: int
    field: str | None
    is_text: bool  # the cell's clean text is the value
    label: str
    outputs: tuple[str, ...]
    memo: dict
    column: Column

    @classmethod
    def of(cls, c: Column) -> _Slot:
        is_text = c.field_type == FieldType.TEXT
        return cls(c.index, c.field, is_text, c.label, _outputs(c), {}, c)


# Distinct values remembered per column; beyond this, values are converted every time.
_MEMO_LIMIT = 4096


def parse_rows(
    grid: Grid,
    header: Header,
    list_key: str | None,
    uncached: frozenset[tuple[int, int]] = frozenset(),
    identity_fields: Sequence[str] = tuple(_IDENTITY_FIELDS),
) -> ParsedSheet:
    """All rows under the header of one sheet."""
    out = ParsedSheet(
        grid.name,
        list_key,
        "loaded",
        header_rows=f"{header.first_row + 1}-{header.last_row + 1}",
        unit=header.sheet_unit,
        ytd_month=header.ytd_month,
        unmapped_columns=[c.label for c in header.columns if c.field is None and c.label],
        field_columns=_field_columns(header.columns),
        sheet_problems=[
            _duplicate_column(name, kept, duplicate, header.first_row + 1)
            for name, kept, duplicate in header.duplicate_columns
        ],
    )
    default_unit = header.sheet_unit or "万元"
    cols = header.columns
    by_field = {c.field: c.index for c in cols if c.field}
    field_at = {c.index: c.field for c in cols if c.field}
    identity = [by_field[f] for f in identity_fields if f in by_field]
    rows, filled_from = _fill_down(grid, header.last_row + 1)
    plan = [_Slot.of(c) for c in cols]
    # Every row is padded to this width, so a short row reads as empty cells.
    width = max([grid.width, *(c.index + 1 for c in cols)])
    # {Excel row: {Excel column, …}} of formula cells without a cached value
    uncached_at: dict[int, set[int]] = {}
    for r, c in uncached:
        uncached_at.setdefault(r, set()).add(c)

    for r in range(header.last_row + 1, len(rows)):
        cells = rows[r]
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        excel_row = r + 1
        texts = [None if v is None else clean_text(v) for v in cells]
        row_uncached = uncached_at.get(excel_row, ())
        if not row_uncached and texts.count(None) == len(texts):
            continue
        out.rows_read += 1
        kind = classify(texts, by_field.get("seq"), by_field.get("project_name"), identity)
        if kind:
            text = " ".join(t for t in texts if t is not None)
            out.structural.append({"excel_row": excel_row, "kind": kind, "text": text[:500]})
            continue
        record, problems = _read_row(cells, texts, plan, default_unit, row_uncached)
        for col, src in filled_from.get(r, ()):
            if field_name := field_at.get(col):
                record["source_text"].setdefault(field_name, f"合并单元格，取自第{src + 1}行")
        if problems:
            row_values = {
                (c.label or column_letter(c.index)): _kept(texts[c.index])
                for c in cols
                if texts[c.index] is not None
            }
            for p in problems:
                out.quarantine.append(
                    {
                        **p,
                        "excel_row": excel_row,
                        "row_values": row_values,
                        "row_loaded": True,
                        "severity": field_severity(list_key, p["field"]),
                    }
                )
        record["unreadable_fields"] = [p["field"] for p in problems if p["field"]] or None
        record["excel_row"] = excel_row
        out.rows.append(record)
    return out


def _read_row(cells, texts, plan: list[_Slot], default_unit, uncached_columns):
    """One data row: `cells` as read and `texts` as clean_text gives them, both padded to
    the sheet's width; `uncached_columns` are the row's formula cells without a value
    (Excel column numbers)."""
    record: dict = {}
    source_text, extra = {}, {}
    problems = []
    for index, name, is_text, label, outputs, memo, column in plan:
        if uncached_columns and index + 1 in uncached_columns:
            problems.append(_problem(column, "(公式)", UNCACHED_FORMULA_REASON))
            if name is not None:
                _leave_empty(record, outputs)
            continue
        text = texts[index]
        if name is None:
            if text is not None and label:
                extra[label] = text
            continue
        if text is None:  # empty or a placeholder: NULL whatever the type
            _leave_empty(record, outputs)
            continue
        value = cells[index]
        if is_text:
            if len(text) > MAX_CELL_CHARS:
                problems.append(_problem(column, text, _too_long(text)))
                _leave_empty(record, outputs)
                continue
            if record.get(name) is None:
                record[name] = text
            # a number shown as text (序号 1) is not a transformation
            if value.__class__ is str and text != value:
                source_text[name] = value
            continue
        key = (value.__class__, value)
        found = memo.get(key)
        if found is None:
            try:
                found = convert(value, column, default_unit)
            except CellError as exc:
                found = str(exc)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = found
        if found.__class__ is str:  # unreadable: the field stays empty, the cell is reported
            problems.append(_problem(column, text, found))
            _leave_empty(record, outputs)
            continue
        typed, changed = found
        for k, v in typed.items():
            if record.get(k) is None:
                record[k] = v
        if changed:
            source_text[name] = str(value)
    record["source_text"] = source_text
    record["extra_columns"] = extra
    _derive_funding(record)
    return record, problems


def _duplicate_column(name: str, kept: Column, duplicate: Column, excel_row: int) -> dict:
    first, second = column_letter(kept.index), column_letter(duplicate.index)
    return {
        "rule": "duplicate_column",
        "field": name,
        "column": second,
        "header": duplicate.label,
        "excel_row": excel_row,
        "value": duplicate.label,
        "reason": (
            f"“{duplicate.label}”（{second}列）与“{kept.label}”（{first}列）是同一项，"
            f"已采用{first}列，{second}列的数值未使用；请删除重复的列或改正表头"
        ),
    }


def _leave_empty(record: dict, outputs: tuple[str, ...]) -> None:
    for k in outputs:
        if k not in record:
            record[k] = None


def _field_columns(columns: list[Column]) -> dict[str, dict[str, str]]:
    """The column each field is read from; as in _read_row, the first column giving a
    field wins (an explicit 计划开工时间 before the one inside 建设起止年限)."""
    found: dict[str, dict[str, str]] = {}
    for c in columns:
        if c.field:
            for name in _outputs(c):
                found.setdefault(name, {"column": column_letter(c.index), "header": c.label})
    return found


def _outputs(column: Column) -> tuple[str, ...]:
    if column.field_type == FieldType.APPROVAL:
        return (column.field, f"{column.field}_month")
    if column.field_type == FieldType.MONTH_RANGE:
        return ("planned_start", "planned_completion")
    return (column.field,)


def _derive_funding(record: dict) -> None:
    sources = set(record.get("funding_sources") or [])
    for f, source in _SUB_AMOUNT_SOURCES.items():
        if (record.get(f) or 0) > 0:
            sources.add(source)
    if sources:
        record["funding_sources"] = [s for s in FUNDING_SOURCES if s in sources]


def _problem(column: Column, value, reason: str) -> dict:
    return {
        "column": column_letter(column.index),
        "header": column.label,
        "field": column.field,
        "value": _kept(value),
        "reason": reason,
    }


def _kept(value):
    """A value as quarantine keeps it: a text cut to its first 1,000 characters."""
    if isinstance(value, str) and len(value) > _KEPT_CHARS:
        return f"{value[:_KEPT_CHARS]}…（共{len(value)}字符）"
    return value


def _fill_down(grid: Grid, first_data_row: int):
    """Vertically merged cells in the data area (责任单位 over several projects) hold
    their value in the top cell only; give it to every row they cover."""
    rows = [list(r) for r in grid.rows]
    filled: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, _c1) in grid.merged:
        if r1 <= r0 or r0 < first_data_row:
            continue
        value = grid.cell(r0, c0)
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            while len(rows[r]) <= c0:
                rows[r].append("")
            if rows[r][c0] in ("", None):
                rows[r][c0] = value
                filled.setdefault(r, []).append((c0, r0))
    return rows, filled
