"""`xmk export oc4ids`: one month of the project library, from the analysts' published
snapshot, written as an OC4IDS project package.

The snapshot (`published.duckdb`) is what passed the publication gate, and reading it never
waits for, nor blocks, a nightly run (publish/snapshot.py). Its `published_at` is the
package's publishedDate: exporting the same snapshot twice gives the same package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.publish.analyst_sql import connect_snapshot
from dagster_project.publish.oc4ids.codes import Unmapped
from dagster_project.publish.oc4ids.config import read_oc4ids_config
from dagster_project.publish.oc4ids.package import (
    COLUMNS,
    PackageHeader,
    ProjectMonth,
    project_package,
)
from dagster_project.publish.render.files import write_atomically

# The month's projects with the attributes the package needs: the month's own report,
# the lifecycle stage of the history version in force that month, the latest 建设地点 (the
# only one the marts keep) and the submitter's name.
_PROJECTS = f"""
    with months as (
        select
            monthly.*,
            region.region_name,
            project.location,
            history.lifecycle_stage
        from marts.fct_project_monthly as monthly
        left join marts.dim_region as region on monthly.region_code = region.region_code
        left join marts.dim_project as project on monthly.project_key = project.project_key
        left join marts.dim_project_history as history
            on
                monthly.project_key = history.project_key
                and history.valid_from <= monthly.period_month
                and (history.valid_to is null or monthly.period_month < history.valid_to)
        where monthly.period_month = $month
    )
    select {", ".join(COLUMNS)} from months order by project_key
"""


class MonthNotFound(LookupError):
    """The snapshot holds no project for the month asked for (or none at all)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    month: date
    projects: int
    unmapped: Unmapped
    placeholder_prefix: str | None  # the prefix used when the city has none of its own

    def describe(self) -> list[str]:
        lines = [
            f"OC4IDS project package written: {self.path} "
            f"({self.projects} projects, {self.month:%Y-%m})"
        ]
        lines += [f"without an OC4IDS code: {line}" for line in self.unmapped.describe()]
        if self.placeholder_prefix:
            lines.append(
                f"project ids begin with the placeholder {self.placeholder_prefix}: ask the "
                "OC4IDS Helpdesk (data@open-contracting.org) for the city's prefix and write "
                "it as prefix in reference/oc4ids.toml"
            )
        return lines


def export_oc4ids(
    published_db: Path, out: Path, reference_dir: Path, month: date | None = None
) -> ExportResult:
    """Write `month`'s package (default: the latest month with projects) to `out`.

    Raises NoSnapshotError without a snapshot, MonthNotFound for a month without projects,
    ConfigError for an unusable oc4ids.toml."""
    config = read_oc4ids_config(reference_dir)
    con = connect_snapshot(published_db)
    try:
        month = _month(con, month)
        rows = [
            ProjectMonth(**dict(zip(COLUMNS, row, strict=True)))
            for row in con.execute(_PROJECTS, {"month": month}).fetchall()
        ]
        (published_at,) = con.execute("select published_at from meta.snapshot").fetchone()
    finally:
        con.close()
    out = Path(out).resolve()
    header = PackageHeader(
        uri=config.package_uri(f"{month:%Y-%m}", out),
        publisher=config.publisher,
        published_at=published_at,
        license=config.license,
    )
    package, unmapped = project_package(rows, header, config.prefix)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, json.dumps(package, ensure_ascii=False, indent=2) + "\n")
    placeholder = config.prefix if config.prefix_is_placeholder else None
    return ExportResult(out, month, len(rows), unmapped, placeholder)


def _month(con: duckdb.DuckDBPyConnection, month: date | None) -> date:
    months = [
        m
        for (m,) in con.execute(
            "select distinct period_month from marts.fct_project_monthly order by 1"
        ).fetchall()
    ]
    if not months:
        raise MonthNotFound("the published snapshot holds no project yet")
    if month is None:
        return months[-1]
    if month not in months:
        raise MonthNotFound(
            f"no project for {month:%Y-%m} in the published snapshot: it holds "
            f"{len(months)} months of projects, from {months[0]:%Y-%m} to {months[-1]:%Y-%m}"
        )
    return month
