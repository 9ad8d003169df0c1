"""A county report as one self-contained HTML page (templates/county_report.html over
base.html): the cells and classes of its tables are settled here, the markup there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dagster_project.publish.county_report.content import RULE_ID_HEADER, ReportContent, Table
from dagster_project.publish.render.html import render_page

TEMPLATE = "county_report.html"
# A column's class in every row: the severity is coloured, a value keeps its line breaks,
# the rule id is small print for the project centre. A number is right-aligned instead.
_COLUMN_CLASSES = {"级别": "sev", "填报值": "value", RULE_ID_HEADER: "rule"}


@dataclass(frozen=True)
class PageTable:
    heading: str
    head: tuple[tuple[str | None, str], ...]  # (class, header)
    rows: tuple[tuple[str | None, tuple[tuple[str | None, object], ...]], ...]


def render_html(content: ReportContent) -> str:
    """The page: every value escaped, no external address, no script."""
    tables = [
        *(page_table(table) for table in content.summary_tables),
        page_table(content.detail, content.detail_severities),
    ]
    return render_page(TEMPLATE, title=content.title, content=content, tables=tables)


def page_table(table: Table, severities: Sequence[str] | None = None) -> PageTable:
    """A table's cells with their classes; a detail row carries its severity."""
    head = tuple(("rule" if h == RULE_ID_HEADER else None, h) for h in table.headers)
    rows = tuple(
        (
            severities[i] if severities else None,
            tuple(
                ("num" if isinstance(value, int | float) else _COLUMN_CLASSES.get(header), value)
                for header, value in zip(table.headers, values, strict=True)
            ),
        )
        for i, values in enumerate(table.rows)
    )
    return PageTable(table.heading, head, rows)
