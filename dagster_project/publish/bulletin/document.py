"""The 通报 as one content model: sections of paragraphs, tables and charts, which the Word
document, the PDF, the page and the workbook all render. A renderer decides how a figure
looks, never what it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# How a column's values read.
RATE, COUNT, WAN, PP, WEEKS, TEXT, DATE, MONTH, CHANGE = (
    "rate",
    "count",
    "wan",
    "pp",
    "weeks",
    "text",
    "date",
    "month",
    "change",
)
NO_VALUE = "—"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float = 12  # in the workbook's character units; the others scale from it
    nowrap: bool = False  # short labels (names, groups) read better on one line


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    has_total: bool = False  # the last row is a 合计 row
    # Per row, the page a row's region links to (drill-down), or None.
    links: tuple[str | None, ...] = ()
    # False: too long for the Word document and its PDF (a per-project or per-indicator
    # list); the page and the workbook carry it, the document says where.
    in_document: bool = True

    @property
    def body(self) -> tuple[tuple, ...]:
        """The rows without the 合计 row."""
        return self.rows[:-1] if self.has_total and self.rows else self.rows


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A bar chart (one bar per category) or a line chart (a trend over months)."""

    kind: str  # "bar" | "line"
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind_of_value: str = RATE  # how the axis reads: RATE as %, COUNT, WAN
    reference: float | None = None  # a dashed line, e.g. the 序时进度


@dataclass(frozen=True)
class Section:
    key: str  # stable name: a sheet, an anchor
    title: str  # "一、总体情况"
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Issuance:
    """What makes it a 通报 rather than a report: who issues it, its number and date."""

    issuer: str
    doc_number: str
    issue_date: date
    signature: str  # 落款
    copy_to: str = ""  # 抄送


@dataclass(frozen=True)
class Bulletin:
    period_month: date
    title: str
    issuance: Issuance
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


def format_value(value, kind: str) -> str:
    """How a value reads in every renderer: rates as 8.3%, counts whole, 万元 with
    separators, a rank change as ↑2 / ↓1 / —."""
    if kind == CHANGE:
        return rank_change_text(value)
    if value is None or value == "":
        return NO_VALUE if kind != TEXT else ""
    if kind == RATE and isinstance(value, int | float):
        return f"{value:.1%}"
    if kind in (COUNT, WEEKS) and isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if kind == WAN and isinstance(value, int | float):
        return f"{value:,.0f}"
    if kind == PP and isinstance(value, int | float):
        return f"{value:+.1f}"
    if kind == MONTH and isinstance(value, date):
        return f"{value:%Y-%m}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def rank_change_text(change: int | None) -> str:
    """↑2 for two places up, ↓1 for one down, — for unchanged or not ranked last month."""
    if change is None or change == 0:
        return NO_VALUE
    return f"↑{change}" if change > 0 else f"↓{-change}"
