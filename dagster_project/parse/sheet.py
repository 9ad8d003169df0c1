"""One sheet of a county list → typed rows, quarantined rows and structural rows.

Every value is converted to its canonical type (amounts to 万元, dates to months, flags
to booleans); the text the clerk typed is kept beside any value that was transformed.
A cell that cannot be read is quarantined as a cell, with its value and reason: the row
loads with that field empty, so its other values count and its other problems are
reported too. The severity of an unreadable cell is the contract's for its field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat, zip_longest
from operator import is_not, itemgetter

import numpy as np

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
    FieldType.PLAN_INCLUSION: flags.parse_plan_inclusion,
    FieldType.LANDING_STATUS: flags.parse_landing_status,
}


# A column is converted value by value, not cell by cell: the same 是, 2024.3, 审批 or
# project name comes back row after row, and month after month in the same project's
# next submission; a conversion depends only on the value and the column. Equal values of
# different types read differently (1, 1.0 and True are one dict key, but the texts "1",
# "1" and "TRUE"), so a column mixing them is keyed by (type, value), and the conversions
# of a column of one number type are remembered apart from those of another.
_NUMBER_TYPES = frozenset({bool, int, float})


class _Memo:
    """Each key's conversion, remembered across the sheets and files a process reads.
    Past `limit` keys it starts again, so a worker's memory stays bounded. `noted` holds
    the keys whose conversion `notable` says needs a look (a reading that keeps a text
    or has a problem), so that a column without any is passed over in one set test."""

    __slots__ = ("known", "limit", "notable", "noted")

    def __init__(self, notable: Callable | None = None, limit: int = 1 << 17):
        self.known: dict = {}
        self.noted: set = set()
        self.notable = notable
        self.limit = limit

    def map(self, keys: Sequence, convert: Callable) -> list:
        """convert(key) for every key, each distinct key converted once."""
        known = self.known
        missing = set(keys).difference(known)
        if missing:
            if len(known) + len(missing) > self.limit:
                known.clear()
                self.noted.clear()
                missing = set(keys)
            notable = self.notable
            for key in missing:
                known[key] = found = convert(key)
                if notable is not None and notable(found):
                    self.noted.add(key)
        return list(map(known.__getitem__, keys))


# {namespace: memo}: clean texts by the cells' number type, readings by that and how the
# column reads (see _Cells and _read_column).
_MEMOS: dict[tuple, _Memo] = {}


def _memo(*namespace, notable: Callable | None = None) -> _Memo:
    memo = _MEMOS.get(namespace)
    if memo is None:
        memo = _MEMOS[namespace] = _Memo(notable)
    return memo


class _Cells:
    """One sheet column under the header: each cell's key (cells with equal keys read
    alike), how to get the value back from a key, and each cell's clean text."""

    __slots__ = ("keys", "space", "texts", "value")

    def __init__(self, cells: Sequence):
        numbers = set(map(type, cells)) & _NUMBER_TYPES
        if len(numbers) > 1:
            keys = list(zip(map(type, cells), cells, strict=True))
            self.space, value = tuple, itemgetter(1)
        else:
            keys = cells
            self.space, value = next(iter(numbers), None), _same
        if float in numbers and 0 in cells:
            # -0.0 equals 0.0 but reads as "-0.0" (an amount's sign, its source_text)
            keys = [
                _MINUS_ZERO if _is_minus_zero(v) else k for k, v in zip(keys, cells, strict=True)
            ]
            plain = value
            value = lambda k: -0.0 if k is _MINUS_ZERO else plain(k)  # noqa: E731
        self.keys, self.value = keys, value
        self.texts = _memo("text", self.space).map(keys, lambda k: clean_text(value(k)))


# The key of a -0.0 cell: unlike every cell value and (type, value) key, not equal to 0.0.
_MINUS_ZERO = ("-0.0",)


def _is_minus_zero(value) -> bool:
    return value.__class__ is float and value == 0 and math.copysign(1.0, value) < 0


def _same(value):
    return value


# What a cell gives: (its values for the column's _outputs, the text it leaves in
# source_text, or None, and (value, reason) when it cannot be read).
_Reading = tuple[tuple, str | None, tuple[object, str] | None]
_VALUES, _KEPT, _PROBLEM = itemgetter(0), itemgetter(1), itemgetter(2)


def parse_rows(
    grid: Grid,
    header: Header,
    list_key: str | None,
    uncached: frozenset[tuple[int, int]] = frozenset(),
    identity_fields: Sequence[str] = tuple(_IDENTITY_FIELDS),
) -> ParsedSheet:
    """All rows under the header of one sheet, read a column at a time: each column's
    distinct values are converted once and the results given back to its cells."""
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
    first = header.last_row + 1
    cols = header.columns
    # Every row is padded to this width, so a short row reads as empty cells.
    width = max([grid.width, *(c.index + 1 for c in cols)])
    values, filled_from = _data_columns(grid, first, width)
    cells = [_Cells(v) for v in values]
    # {row under the header: {Excel column, …}} of formula cells without a cached value
    uncached_at: dict[int, set[int]] = {}
    for r, c in uncached:
        if first < r <= len(grid.rows):
            uncached_at.setdefault(r - 1 - first, set()).add(c)
    data = _data_rows(out, cells, cols, uncached_at, identity_fields, first)
    if not data:
        return out

    default_unit = header.sheet_unit or "万元"
    at = {r: i for i, r in enumerate(data)}  # row under the header -> data row
    fields: dict[str, list] = {}  # {field: its value in each data row}
    source_text: list[dict] = [{} for _ in data]
    extra: list[dict] = [{} for _ in data]
    problems: dict[int, list[dict]] = {}  # {data row: its problems, in column order}
    for column in cols:
        col = cells[column.index]
        # a formula in a 合计 row is the total's, not a data row's
        formulas = [
            at[r]
            for r, excel_cols in uncached_at.items()
            if column.index + 1 in excel_cols and r in at
        ]
        for i in formulas:
            problems.setdefault(i, []).append(_problem(column, "(公式)", UNCACHED_FORMULA_REASON))
        if column.field is None:  # kept by its header, as an extra column
            if column.label:
                texts = list(map(col.texts.__getitem__, data))
                for i in formulas:
                    texts[i] = None
                for i in _given(texts):
                    extra[i][column.label] = texts[i]
            continue
        found, noted = _read_column(col, column, data, default_unit)
        if formulas:
            formula = (_empty(column), None, None)
            for i in formulas:
                found[i] = formula
        typed = list(map(_VALUES, found))
        for j, name in enumerate(_outputs(column)):
            _first_given(fields, name, list(map(itemgetter(j), typed)))
        if not noted:
            continue
        kept = list(map(_KEPT, found))
        for i in _given(kept):
            source_text[i][column.field] = kept[i]
        unread = list(map(_PROBLEM, found))
        for i in _given(unread):
            problems.setdefault(i, []).append(_problem(column, *unread[i]))
    field_at = {c.index: c.field for c in cols if c.field}
    for r, fills in filled_from.items():
        if (i := at.get(r)) is not None:
            for col, src in fills:
                if name := field_at.get(col):
                    source_text[i].setdefault(name, f"合并单元格，取自第{src + 1}行")

    unreadable = [None] * len(data)
    for i in sorted(problems):
        row_problems = problems[i]
        excel_row = first + data[i] + 1
        row_values = {
            (c.label or column_letter(c.index)): _kept(text)
            for c in cols
            if (text := cells[c.index].texts[data[i]]) is not None
        }
        for p in row_problems:
            out.quarantine.append(
                {
                    **p,
                    "excel_row": excel_row,
                    "row_values": row_values,
                    "row_loaded": True,
                    "severity": field_severity(list_key, p["field"]),
                }
            )
        unreadable[i] = [p["field"] for p in row_problems if p["field"]] or None
    names = [*fields, "source_text", "extra_columns", "unreadable_fields", "excel_row"]
    excel_rows = [first + r + 1 for r in data]
    out.rows = [
        dict(zip(names, row, strict=True))
        for row in zip(*fields.values(), source_text, extra, unreadable, excel_rows, strict=True)
    ]
    if fields.keys() & _SUB_AMOUNT_SOURCES.keys():
        for record in out.rows:
            _derive_funding(record)
    return out


def _data_columns(grid: Grid, first: int, width: int):
    """The cells under the header as `width` columns, and {row under the header: [(Excel
    column, the row it was filled from), …]} of the cells filled down.

    Vertically merged cells in the data area (责任单位 over several projects) hold their
    value in the top cell only; every row they cover is given it."""
    rows = grid.rows[first:]
    columns: list = list(zip_longest(*rows)) if rows else []
    columns += [(None,) * len(rows)] * (width - len(columns))
    filled: dict[int, list[tuple[int, int]]] = {}
    for (r0, c0), (r1, _c1) in grid.merged:
        if r1 <= r0 or r0 < first or c0 >= width:
            continue
        value = grid.cell(r0, c0)
        column = columns[c0] = list(columns[c0])
        for r in range(r0 + 1 - first, min(r1, len(grid.rows) - 1) + 1 - first):
            if column[r] in ("", None):
                column[r] = value
                filled.setdefault(r, []).append((c0, r0))
    return columns, filled


def _data_rows(out: ParsedSheet, cells, cols, uncached_at, identity_fields, first) -> list[int]:
    """The data rows under the header; counts every non-empty row in `out.rows_read` and
    records the structural ones (合计, sections, notes) in `out.structural`."""
    n = len(cells[0].texts) if cells else 0
    if not n:
        return []
    by_field = {c.field: c.index for c in cols if c.field}
    seq_col, name_col = by_field.get("seq"), by_field.get("project_name")
    identity = [by_field[f] for f in identity_fields if f in by_field]
    given = np.array([np.fromiter(map(is_not, c.texts, repeat(None)), bool, n) for c in cells])
    counts = given.sum(axis=0)
    nonempty = counts > 0
    for r in uncached_at:  # a formula cell without a value is not an empty cell
        nonempty[r] = True
    # classify() finds a kind only in a row with one cell, or with no identity cell, or
    # with 计 or 其 (every total and subtotal word holds one) in its 序号, its 项目名称 or
    # its first filled cell; the other rows are data rows without asking.
    first_given = given.argmax(axis=0)
    may_total = np.zeros(n, bool)
    for c in {*np.unique(first_given).tolist(), seq_col, name_col} - {None}:
        marked = _memo("计其").map(cells[c].texts, _holds_ji_or_qi)
        may_total |= np.array(marked) & ((first_given == c) | (c in (seq_col, name_col)))
    has_identity = given[identity].any(axis=0) if identity else np.zeros(n, bool)
    ask = set(np.flatnonzero(nonempty & (may_total | ~has_identity | (counts == 1))).tolist())
    data = []
    for r in np.flatnonzero(nonempty).tolist():
        out.rows_read += 1
        if r in ask:
            texts = [c.texts[r] for c in cells]
            kind = classify(texts, seq_col, name_col, identity)
            if kind:
                text = " ".join(t for t in texts if t is not None)
                out.structural.append(
                    {"excel_row": first + r + 1, "kind": kind, "text": text[:500]}
                )
                continue
        data.append(r)
    return data


def _holds_ji_or_qi(text: str | None) -> bool:
    return text is not None and ("计" in text or "其" in text)


def _given(values: list) -> list[int]:
    """The positions of the values that are not None."""
    return list(compress(range(len(values)), map(is_not, values, repeat(None))))


def _read_column(
    cells: _Cells, column: Column, data: list[int], default_unit: str
) -> tuple[list[_Reading], bool]:
    """The reading of each data row's cell of one field column, and whether any of them
    keeps a text or has a problem."""
    unit = (column.unit or default_unit) if column.field_type == FieldType.AMOUNT else None
    memo = _memo("reading", cells.space, column.field_type, unit, column.percent, notable=_notable)
    value = cells.value

    def read(key) -> _Reading:
        v = value(key)
        return _reading(v, clean_text(v), column, default_unit)

    keys = list(map(cells.keys.__getitem__, data))
    found = memo.map(keys, read)
    return found, not memo.noted.isdisjoint(keys)


def _notable(reading: _Reading) -> bool:
    return reading[1] is not None or reading[2] is not None


def _reading(value, text: str | None, column: Column, default_unit: str) -> _Reading:
    """What one cell value gives its column; `text` is its clean text."""
    if text is None:  # empty or a placeholder: NULL whatever the type
        return _empty(column), None, None
    if column.field is None:  # kept by its header, as an extra column
        return (), (text if column.label else None), None
    if column.field_type == FieldType.TEXT:
        if len(text) > MAX_CELL_CHARS:
            return _empty(column), None, (text, _too_long(text))
        # a number shown as text (序号 1) is not a transformation
        return (text,), (value if value.__class__ is str and text != value else None), None
    try:
        typed, changed = convert(value, column, default_unit)
    except CellError as exc:  # unreadable: the field stays empty, the cell is reported
        return _empty(column), None, (text, str(exc))
    return tuple(typed[k] for k in _outputs(column)), (str(value) if changed else None), None


def _empty(column: Column) -> tuple:
    return (None,) * len(_outputs(column)) if column.field is not None else ()


def _first_given(fields: dict[str, list], name: str, values: list) -> None:
    """A field two columns give (计划开工时间, and the start inside 建设起止年限): in each
    row the first column with a value wins."""
    if name not in fields:
        fields[name] = values
    else:
        fields[name] = [
            a if a is not None else b for a, b in zip(fields[name], values, strict=True)
        ]


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


def _field_columns(columns: list[Column]) -> dict[str, dict[str, str]]:
    """The column each field is read from; as in parse_rows, the first column giving a
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
