"""A small working warehouse shaped like the one dbt leaves: `raw` with the counties'
contact details, a `staging` view and a few `marts` tables with Chinese descriptions.

`edition` makes two warehouses tell apart: every mart row carries it, edition 1 runs to
September 2026 and edition 2 to October with more rows, so a reader can tell the old
snapshot from the new one and would notice a mix of the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

REGIONS = [
    ("220202", "昌邑区", "县(市、区)"),
    ("220281", "蛟河市", "县(市、区)"),
    ("220273", "吉林中国新加坡食品区", "开发区"),
]
INDICATORS = ("fai_growth", "big_project_count")


@dataclass(frozen=True)
class Edition:
    number: int
    months: int  # months of data, from January 2026
    projects: int  # fct_project_monthly rows per month

    @property
    def latest_period(self) -> date:
        return date(2026, self.months, 1)

    @property
    def project_rows(self) -> int:
        return self.months * self.projects

    @property
    def arena_rows(self) -> int:
        return self.months * len(REGIONS) * len(INDICATORS)


OLD = Edition(1, months=9, projects=20_000)
NEW = Edition(2, months=10, projects=25_000)


def build_warehouse(path: Path, edition: Edition = OLD) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            f"""
            CREATE SCHEMA raw;
            CREATE SCHEMA staging;
            CREATE SCHEMA marts;

            CREATE TABLE raw.under_construction AS
            SELECT 'row ' || i AS project_name, '13912345678' AS contact_phone
            FROM range(10) t(i);
            CREATE VIEW staging.stg_raw__under_construction AS
            SELECT project_name FROM raw.under_construction;

            CREATE TABLE marts.dim_region (
                region_code VARCHAR, region_name VARCHAR, rank_group VARCHAR, edition INTEGER
            );
            INSERT INTO marts.dim_region
            SELECT c, n, g, {edition.number} FROM (VALUES {_values(REGIONS)}) r(c, n, g);

            CREATE TABLE marts.rpt_arena_monthly AS
            SELECT
                make_date(2026, m::INTEGER, 1) AS period_month,
                r.g AS rank_group,
                r.c AS region_code,
                i.indicator,
                round(m * 0.013 + length(r.c) * 0.001, 4) AS "value",
                (row_number() OVER (PARTITION BY m, r.g, i.indicator ORDER BY r.c))::BIGINT
                    AS rank,
                CASE WHEN r.c = '220273' THEN '开发区单独排名' END AS note,
                {edition.number} AS edition
            FROM range(1, {edition.months + 1}) months(m)
            CROSS JOIN (VALUES {_values(REGIONS)}) r(c, n, g)
            CROSS JOIN (VALUES {_values([(i,) for i in INDICATORS])}) i(indicator)
            ORDER BY period_month, rank_group, indicator, rank;

            CREATE TABLE marts.fct_project_monthly AS
            SELECT
                make_date(2026, m::INTEGER, 1) AS period_month,
                'P' || lpad(p::VARCHAR, 6, '0') AS project_key,
                (p % 1000) * 10.5 AS total_investment_wan,
                {edition.number} AS edition
            FROM range(1, {edition.months + 1}) months(m)
            CROSS JOIN range({edition.projects}) projects(p);

            COMMENT ON TABLE marts.rpt_arena_monthly IS '擂台月度排名 — the monthly arena';
            COMMENT ON COLUMN marts.rpt_arena_monthly.rank IS '组内名次 — rank within the group';
            COMMENT ON TABLE marts.dim_region IS '地区 — regions';
            """
        )
    finally:
        con.close()
    return path


def build_snapshot(
    directory: Path,
    edition: Edition = OLD,
    add: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
) -> Path:
    """A working warehouse in `directory`, `add` run on it (more marts, other rows), and
    its published snapshot beside it; returns `directory`, as `xmk sql --warehouse` takes."""
    from dagster_project.publish.snapshot import publish_snapshot

    build_warehouse(directory / "warehouse.duckdb", edition)
    if add is not None:
        con = duckdb.connect(str(directory / "warehouse.duckdb"))
        try:
            add(con)
        finally:
            con.close()
    publish_snapshot(directory / "warehouse.duckdb", directory / "published.duckdb")
    return directory


def read_state(published_db: Path) -> tuple:
    """What a new analyst session sees: (edition, rows) of two marts and the meta row."""
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        return con.execute(STATE_QUERY).fetchone()
    finally:
        con.close()


def expected_state(edition: Edition) -> tuple:
    return (
        edition.project_rows,
        edition.number,
        edition.number,
        edition.arena_rows,
        edition.number,
        edition.number,
        edition.latest_period.isoformat(),
    )


# Bare names on purpose: that is how analysts query the snapshot.
STATE_QUERY = """
SELECT
    (SELECT count(*) FROM fct_project_monthly),
    (SELECT min(edition) FROM fct_project_monthly),
    (SELECT max(edition) FROM fct_project_monthly),
    (SELECT count(*) FROM rpt_arena_monthly),
    (SELECT min(edition) FROM rpt_arena_monthly),
    (SELECT max(edition) FROM rpt_arena_monthly),
    (SELECT latest_period_month::VARCHAR FROM meta.snapshot)
"""


def _values(rows) -> str:
    def literal(v) -> str:
        return "'" + str(v).replace("'", "''") + "'"

    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
