"""Drill-down: for each region of the month, a page of the projects behind its figures in
the 通报 — what lists each is on, its investment and progress, and the file, sheet and
Excel row it was read from, so that a figure can be followed back to the county's cell."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.publish.bulletin.content import mart_relation
from dagster_project.publish.bulletin.document import (
    COUNT,
    MONTH,
    RATE,
    TEXT,
    WAN,
    Bulletin,
    Column,
    Table,
)
from dagster_project.publish.bulletin.page import region_page
from dagster_project.publish.bulletin.tables import linked_region
from dagster_project.publish.render.files import write_atomically
from dagster_project.publish.render.labels import month_label
from dagster_project.quality.failures import query_dicts

_LIST_FLAGS = {
    "listed_under_construction": "在建",
    "listed_unstated": "已开工未入统",
    "listed_special_bond": "专项债券",
    "listed_planned_next_year": "明年拟开工",
    "listed_major_planning": "重大谋划",
}


def read_region_projects(con: duckdb.DuckDBPyConnection, month) -> dict[str, tuple[dict, ...]]:
    found = query_dicts(
        con,
        f"""
        select
            p.region_code, p.project_key, p.project_code, p.project_name, p.primary_list,
            {", ".join(f"p.{flag}" for flag in _LIST_FLAGS)},
            p.total_investment_wan, p.annual_plan_wan, p.ytd_completed_wan, p.completion_rate,
            p.actual_start_month, p.is_winter_continuous,
            p.source_file, p.source_sheet, p.source_excel_row
        from {mart_relation("fct_project_monthly")} as p
        where p.period_month = ?
        order by p.region_code, p.listed_under_construction desc,
            p.total_investment_wan desc nulls last, p.project_key
        """,
        [month],
    )
    by_region: dict[str, list[dict]] = {}
    for record in found:
        by_region.setdefault(record["region_code"], []).append(record)
    return {code: tuple(rows) for code, rows in by_region.items()}


def projects_table(rows: tuple[dict, ...]) -> Table:
    return Table(
        f"本月项目清单（{len(rows)}个）",
        (
            Column("项目代码", TEXT, 14),
            Column("项目名称", TEXT, 30),
            Column("所在清单", TEXT, 16),
            Column("总投资（万元）", WAN, 11),
            Column("年度计划（万元）", WAN, 11),
            Column("本年完成（万元）", WAN, 11),
            Column("年度计划完成率", RATE, 9),
            Column("开工月份", MONTH, 9),
            Column("冬季不停工", TEXT, 6),
            Column("来源文件", TEXT, 30),
            Column("工作表", TEXT, 12),
            Column("Excel行", COUNT, 6),
        ),
        tuple(
            (
                r["project_code"],
                r["project_name"],
                "、".join(label for flag, label in _LIST_FLAGS.items() if r[flag]),
                r["total_investment_wan"],
                r["annual_plan_wan"],
                r["ytd_completed_wan"],
                r["completion_rate"],
                r["actual_start_month"],
                "是" if r["is_winter_continuous"] else "",
                r["source_file"],
                r["source_sheet"],
                r["source_excel_row"],
            )
            for r in rows
        ),
    )


def region_tables(bulletin: Bulletin, code: str) -> tuple[Table, ...]:
    """The bulletin's rows of this region, table by table, as the region's own summary."""
    found = []
    for section in bulletin.sections:
        for table in section.tables:
            rows = tuple(
                row
                for row, row_link in zip(table.rows, table.links, strict=False)
                if linked_region(row_link) == code
            )
            if rows:
                found.append(Table(table.caption, table.columns, rows))
    return tuple(found)


def write_region_pages(
    directory: Path,
    bulletin: Bulletin,
    projects: dict[str, tuple[dict, ...]],
    back: str,
) -> tuple[Path, ...]:
    """One page per region with projects or figures this month; pages of regions no
    longer in the month are removed, so the folder is the month's."""
    names = _region_names(bulletin, projects)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code in sorted(names):
        rows = projects.get(code, ())
        title = f"{names[code]} {month_label(bulletin.period_month)}项目明细"
        page = region_page(
            title,
            (f"{bulletin.title}中{names[code]}各项数字所依据的项目，以及每个项目的来源单元格。",),
            (*region_tables(bulletin, code), projects_table(rows)),
            back=f"../{back}",
        )
        path = directory / f"{code}.html"
        write_atomically(path, page)
        written.append(path)
    for stale in set(directory.glob("*.html")) - set(written):
        stale.unlink()
    return tuple(written)


def _region_names(bulletin: Bulletin, projects: dict[str, tuple[dict, ...]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for section in bulletin.sections:
        for table in section.tables:
            headers = [c.header for c in table.columns]
            if "地区" not in headers:
                continue
            at = headers.index("地区")
            for row, link in zip(table.rows, table.links, strict=False):
                if code := linked_region(link):
                    names.setdefault(code, row[at])
    for code in projects:
        names.setdefault(code, code)
    return names
