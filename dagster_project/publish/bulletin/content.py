"""What the month's published marts say, read once for every renderer of the 通报. Only
`marts.*` is read (the relations in READS, which are also the bulletin asset's deps and
its dbt exposure); ordering is the only thing done here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from dagster_project.contract import APPROVALS
from dagster_project.quality.failures import query_dicts

MARTS_SCHEMA = "marts"
# What the bulletin reads: its Dagster deps and its dbt exposure list the same names.
READS = (
    "dim_region",
    "rpt_arena_monthly",
    "rpt_assessment_monthly",
    "rpt_bulletin_progress_monthly",
    "rpt_bulletin_three_early_monthly",
    "rpt_bulletin_approval_timeliness_monthly",
    "rpt_bulletin_red_warnings_monthly",
    "rpt_bulletin_region_warnings_monthly",
    "rpt_bulletin_escalated_issues_monthly",
    "rpt_submission_status_monthly",
    "rpt_city_trend_monthly",
    "rpt_region_comparison_monthly",
    "rpt_showcase_projects",
    "fct_project_monthly",
    "fct_approvals",
)
SLOWEST_APPROVALS = 10
APPROVAL_ORDER = [key for key, _, _ in APPROVALS]
TREND_MONTHS = 12


@dataclass(frozen=True)
class BulletinContent:
    period_month: date
    rank_groups: tuple[str, ...]  # counties before development zones
    arena: tuple[dict, ...]  # rank group, indicator order, rank (NULL last), region code
    assessment: tuple[dict, ...]  # rank group, composite rank
    progress: tuple[dict, ...]  # regions in group order, then the 合计 row
    three_early: tuple[dict, ...]  # regions in group order, then the 合计 row
    approval_timeliness: tuple[dict, ...]  # the city's 合计 row of each approval
    slowest_approvals: tuple[dict, ...]  # the year's longest, at most SLOWEST_APPROVALS
    comparison: tuple[dict, ...]  # regions in group order
    red_warnings: tuple[dict, ...]
    region_warnings: tuple[dict, ...]  # regions in group order, then rule
    escalated: tuple[dict, ...]
    submissions: tuple[dict, ...]
    trend: tuple[dict, ...]  # the city, the last TREND_MONTHS months up to the month
    showcase: tuple[dict, ...]

    @property
    def schedule_share(self) -> float:
        """序时进度: the share of the year elapsed at the month's end."""
        return self.period_month.month / 12

    @property
    def city(self) -> dict:
        """The month's city-wide trend row (empty when the month has none)."""
        return next((r for r in self.trend if r["period_month"] == self.period_month), {})

    @property
    def progress_total(self) -> dict:
        return next((r for r in self.progress if r["is_total"]), {})


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    return query_dicts(con, sql, list(params))


def mart_relation(name: str) -> str:
    assert name in READS, f"{name} is not in the bulletin's READS"
    return f'{MARTS_SCHEMA}."{name}"'


def read_content(con: duckdb.DuckDBPyConnection, period_month: date) -> BulletinContent:
    """Raises LookupError when the month has no 擂台 rows: a bulletin without its rankings
    is not a bulletin."""
    month = period_month.replace(day=1)
    arena = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_arena_monthly")}
        where period_month = ?
        order by rank_group, indicator, rank nulls last, region_code
        """,
        month,
    )
    if not arena:
        raise LookupError(f"rpt_arena_monthly has no rows for {month:%Y-%m}")
    first_code: dict[str, str] = {}
    for row in arena:
        first_code[row["rank_group"]] = min(
            first_code.get(row["rank_group"], row["region_code"]), row["region_code"]
        )
    groups = tuple(sorted(first_code, key=lambda g: (first_code[g], g)))
    order = {g: i for i, g in enumerate(groups)}

    def grouped(rows: list[dict], *then: str) -> tuple[dict, ...]:
        return tuple(
            sorted(
                rows,
                key=lambda r: (
                    order.get(r.get("rank_group"), len(order)),
                    *(
                        (r[k] is None, r[k] or 0) if k.endswith("rank") else (r[k] or "",)
                        for k in then
                    ),
                ),
            )
        )

    assessment = _rows(
        con,
        f"select * from {mart_relation('rpt_assessment_monthly')} where period_month = ?",
        month,
    )
    progress = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_progress_monthly")} where period_month = ?
        """,
        month,
    )
    regions = [r for r in progress if not r["is_total"]]
    totals = [r for r in progress if r["is_total"]]
    three_early = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_three_early_monthly")}
        where period_month = ?
        """,
        month,
    )
    comparison = _rows(
        con,
        f"""
        select c.*, coalesce(d.rank_group, '') as rank_group
        from {mart_relation("rpt_region_comparison_monthly")} as c
        left join {mart_relation("dim_region")} as d using (region_code)
        where c.period_month = ?
        """,
        month,
    )
    red = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_red_warnings_monthly")}
        where period_month = ?
        order by region_code, rule, total_investment_wan desc nulls last, project_key
        """,
        month,
    )
    approval_timeliness = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_approval_timeliness_monthly")}
        where period_month = ? and is_total
        """,
        month,
    )
    slowest_approvals = _rows(
        con,
        f"""
        select a.*, coalesce(d.region_name, a.region_code) as region_name
        from {mart_relation("fct_approvals")} as a
        left join {mart_relation("dim_region")} as d using (region_code)
        where a.days_taken is not null
          and a.done_on between date_trunc('year', ?::date) and last_day(?::date)
        order by a.days_taken desc, a.project_key, a.approval
        limit {SLOWEST_APPROVALS}
        """,
        month,
        month,
    )
    region_warnings = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_region_warnings_monthly")}
        where period_month = ?
        """,
        month,
    )
    escalated = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_bulletin_escalated_issues_monthly")}
        where period_month = ?
        order by escalate_to nulls last, department, days_open desc nulls last, issue_key
        """,
        month,
    )
    submissions = _rows(
        con,
        f"select * from {mart_relation('rpt_submission_status_monthly')} where period_month = ?",
        month,
    )
    trend = _rows(
        con,
        f"""
        select * from {mart_relation("rpt_city_trend_monthly")}
        where period_month <= ? and period_month > ? - interval {TREND_MONTHS} month
        order by period_month
        """,
        month,
        month,
    )
    showcase = _rows(
        con,
        f"""
        select s.*, coalesce(d.region_name, s.region_code) as region_name
        from {mart_relation("rpt_showcase_projects")} as s
        left join {mart_relation("dim_region")} as d using (region_code)
        where s.period_month = ?
        order by s.showcase_rank, s.project_key
        """,
        month,
    )
    return BulletinContent(
        period_month=month,
        rank_groups=groups,
        arena=tuple(arena),
        assessment=grouped(assessment, "composite_rank", "region_code"),
        progress=(*grouped(regions, "region_code"), *totals),
        three_early=(
            *grouped([r for r in three_early if not r["is_total"]], "region_code"),
            *(r for r in three_early if r["is_total"]),
        ),
        comparison=grouped(comparison, "region_code"),
        approval_timeliness=tuple(
            sorted(approval_timeliness, key=lambda r: APPROVAL_ORDER.index(r["approval"]))
        ),
        slowest_approvals=tuple(slowest_approvals),
        red_warnings=grouped(red),
        region_warnings=grouped(region_warnings, "region_code", "rule"),
        escalated=tuple(escalated),
        submissions=grouped(submissions, "region_code"),
        trend=tuple(trend),
        showcase=tuple(showcase),
    )
