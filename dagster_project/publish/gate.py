"""The publication gate (SPEC §4): the month's 擂台, 绩效考核 and showcase go out — in the
bulletin and in published.duckdb — only when no error-severity failure remains for the
month and the month is complete: every submitter of the regions reference has sent its
monthly lists and the statistics bureau's file is there, or the project centre has exempted
them (raw/reference/exemptions.csv).

Pure: a read-only connection in, a GateStatus out, no Dagster. It reads only the marts in
READS; the latest month is the latest with a county's monthly workbook (weekly returns of a
month whose workbooks have not come yet do not move it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from dagster_project.publish.render.labels import month_label

READS = ("fct_dq_failures", "fct_submission_completeness", "dim_region")
# Failures that say a list or the statistics file is missing: the completeness half of
# the gate counts those, not the error half.
COMPLETENESS_RULES = ("missing_submission", "missing_statistics_file")
UNRECOGNISED = "（未识别）"


@dataclass(frozen=True)
class GateStatus:
    period_month: date | None
    # region_code -> (region name, error count), the missing submissions not counted
    errors: dict[str, tuple[str, int]] = field(default_factory=dict)
    # region_code -> (region name, what is missing), for submitters not exempted
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)
    statistics_missing: bool = False

    @property
    def is_open(self) -> bool:
        return (
            self.period_month is not None
            and not self.errors
            and not self.missing
            and not self.statistics_missing
        )

    def describe(self) -> str:
        if self.period_month is None:
            return "publication gate: no county monthly submission yet"
        month = month_label(self.period_month)
        if self.is_open:
            return (
                f"publication gate open for {month}: every submitter complete, "
                "no error-severity failure"
            )
        reasons = []
        if self.missing:
            who = "、".join(f"{name}（{what}）" for name, what in self.missing.values())
            reasons.append(f"{len(self.missing)} regions incomplete — {who}")
        if self.statistics_missing:
            reasons.append("the 统计局 file of the month is missing")
        if self.errors:
            regions = "、".join(f"{name} {n} 项错误" for name, n in self.errors.values())
            total = sum(n for _, n in self.errors.values())
            reasons.append(
                f"{total} error-severity failures in {len(self.errors)} regions — {regions}"
            )
        return (
            f"publication BLOCKED for {month}: " + "; ".join(reasons) + ". The county "
            "reports list each one (an exemption goes in raw/reference/exemptions.csv); "
            "the last published bulletin and snapshot stay as they were."
        )


def latest_month(con: duckdb.DuckDBPyConnection) -> date | None:
    """The latest month for which some submitter sent its monthly workbook."""
    return con.execute(
        "select max(period_month) from marts.fct_submission_completeness where has_monthly_workbook"
    ).fetchone()[0]


def gate_status(con: duckdb.DuckDBPyConnection, month: date | None = None) -> GateStatus:
    """The gate for `month`, by default the latest month with a monthly workbook."""
    month = month or latest_month(con)
    if month is None:
        return GateStatus(None)
    errors = con.execute(
        """
        select f.region_code, coalesce(r.region_name, f.region_code, ?), count(*)
        from marts.fct_dq_failures as f
        left join marts.dim_region as r using (region_code)
        where f.severity = 'error' and f.period_month = ?
          and not list_contains(?::varchar[], f.rule)
        group by all
        order by 1
        """,
        [UNRECOGNISED, month, list(COMPLETENESS_RULES)],
    ).fetchall()
    missing = con.execute(
        """
        select region_code, region_name, missing_note
        from marts.fct_submission_completeness
        where period_month = ? and not is_complete
        order by 1
        """,
        [month],
    ).fetchall()
    statistics = con.execute(
        """
        select bool_and(is_statistics_complete) from marts.fct_submission_completeness
        where period_month = ?
        """,
        [month],
    ).fetchone()[0]
    return GateStatus(
        month,
        {code: (name, n) for code, name, n in errors},
        {code: (name, what) for code, name, what in missing},
        statistics_missing=statistics is False,
    )
