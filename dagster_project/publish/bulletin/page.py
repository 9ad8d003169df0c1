"""The 通报 as a page (templates/bulletin/bulletin.html) and, for drill-down, a page per
region of the projects behind its figures (templates/bulletin/region.html)."""

from __future__ import annotations

from collections.abc import Callable

from dagster_project.publish.bulletin.charts import chart_svg
from dagster_project.publish.bulletin.document import (
    PP,
    TEXT,
    Bulletin,
    Chart,
    Column,
    Table,
    format_value,
)
from dagster_project.publish.bulletin.word import chinese_date
from dagster_project.publish.render.html import render_page


def cell_class(column: Column, value) -> str | None:
    """Numbers right-aligned, short labels on one line, a shortfall against 序时 in red."""
    if column.kind == TEXT:
        return "nowrap" if column.nowrap else None
    if column.kind == PP and isinstance(value, int | float) and value < 0:
        return "num bad"
    return "num"


def bulletin_page(bulletin: Bulletin, svg: Callable[[Chart], str] = chart_svg) -> str:
    charts = {chart: svg(chart) for section in bulletin.sections for chart in section.charts}
    return render_page(
        "bulletin/bulletin.html",
        title=bulletin.title,
        bulletin=bulletin,
        charts={chart: _markup(text) for chart, text in charts.items()},
        issue_date=chinese_date(bulletin.issuance.issue_date),
        show=format_value,
        cell_class=cell_class,
    )


def region_page(
    title: str, paragraphs: tuple[str, ...], tables: tuple[Table, ...], back: str
) -> str:
    """`back`: the bulletin's page, relative to the region's."""
    return render_page(
        "bulletin/region.html",
        title=title,
        back=back,
        paragraphs=paragraphs,
        tables=tables,
        show=format_value,
        cell_class=cell_class,
    )


def _markup(svg: str):
    """matplotlib's own SVG, inlined as it is: it holds no text from the marts as text
    (labels are drawn as outlines), so there is nothing in it to escape."""
    from markupsafe import Markup

    return Markup(svg)
