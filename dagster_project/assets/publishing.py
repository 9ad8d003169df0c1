"""Publishing (SPEC §4, §6): the gate, the county reports, the bulletin, the analysts'
snapshot.

The gate is where publication stops: the month's 擂台, 绩效考核 and showcase go out (in
the bulletin and in published.duckdb) only when no error-severity failure remains for
that month. Its blocking check stops the bulletin and the snapshot in the run; both also
ask the gate themselves, because a blocking check does nothing when only they are
selected. The county reports do not wait for the gate: a county with errors is exactly
the one that needs its report.
"""

import os
from dataclasses import dataclass, field
from datetime import date

import dagster as dg
import duckdb

from dagster_project.assets.marts import dbt_warehouse
from dagster_project.orchestration.warehouse_lock import warehouse_lock
from dagster_project.publish.bulletin import write_bulletin
from dagster_project.publish.county_reports import month_label, write_all_reports
from dagster_project.publish.mail import SmtpSettings, build_message, deliver
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.quality.list_rows import latest_report_month
from dagster_project.resources import XmkSettings

PUBLISH_GROUP = "publish"
GATE_KEY = dg.AssetKey(["publish", "gate"])
DQ_FAILURES_MART = dg.AssetKey(["marts", "fct_dq_failures"])
GATED_REPORTS = [
    dg.AssetKey(["marts", name])
    for name in ("rpt_arena_monthly", "rpt_assessment_monthly", "rpt_showcase_projects")
]


@dataclass(frozen=True)
class GateStatus:
    period_month: date | None
    # region_code -> (region name, error count)
    errors: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.period_month is not None and not self.errors

    def describe(self) -> str:
        if self.period_month is None:
            return "publication gate: no county submission yet"
        month = month_label(self.period_month)
        if self.is_open:
            return f"publication gate open for {month}: no error-severity failure"
        regions = "、".join(f"{name} {n} 项错误" for name, n in self.errors.values())
        total = sum(n for _, n in self.errors.values())
        return (
            f"publication BLOCKED for {month}: {total} error-severity failures in "
            f"{len(self.errors)} regions — {regions}. The county reports list each one; "
            "the last published bulletin and snapshot stay as they were."
        )


def gate_status(con) -> GateStatus:
    """The gate for the latest month any county reported."""
    month = latest_report_month(con)
    if month is None:
        return GateStatus(None)
    rows = con.execute(
        """
        select f.region_code, coalesce(r.region_name, f.region_code, '（未识别）'), count(*)
        from marts.fct_dq_failures f
        left join raw.regions r using (region_code)
        where f.severity = 'error' and f.period_month = ?
        group by all
        order by 1
        """,
        [month],
    ).fetchall()
    return GateStatus(month, {code: (name, n) for code, name, n in rows})


def read_gate(settings: XmkSettings) -> GateStatus:
    db = settings.paths().warehouse_db
    with warehouse_lock(db, "publication gate", write=False):
        con = duckdb.connect(str(db), read_only=True)
        try:
            return gate_status(con)
        finally:
            con.close()


@dg.asset(
    key=GATE_KEY,
    deps=[DQ_FAILURES_MART, *GATED_REPORTS],
    group_name=PUBLISH_GROUP,
    kinds={"python"},
    description="发布闸门：当月无错误级数据质量问题方可发布擂台、考核与展示名单 "
    "(the month is published only when no error-severity failure remains)",
)
def publication_gate(context: dg.AssetExecutionContext, settings: XmkSettings):
    status = read_gate(settings)
    context.log.info(status.describe())
    return dg.MaterializeResult(
        metadata={
            "period_month": str(status.period_month),
            "is_open": status.is_open,
            "error_regions": {code: n for code, (_name, n) in status.errors.items()},
            "status": status.describe(),
        }
    )


@dg.asset_check(
    asset=GATE_KEY,
    name="no_errors_in_the_month",
    blocking=True,
    description="Blocks the bulletin and the analysts' snapshot while the month has "
    "error-severity data-quality failures.",
)
def no_errors_in_the_month(settings: XmkSettings) -> dg.AssetCheckResult:
    status = read_gate(settings)
    return dg.AssetCheckResult(
        passed=status.is_open,
        severity=dg.AssetCheckSeverity.ERROR,
        description=status.describe(),
        metadata={"error_regions": {code: n for code, (_name, n) in status.errors.items()}},
    )


def _require_open_gate(settings: XmkSettings, what: str) -> GateStatus:
    status = read_gate(settings)
    if not status.is_open:
        raise dg.Failure(f"{what} not published: {status.describe()}")
    return status


@dg.asset(
    key=dg.AssetKey(["publish", "bulletin"]),
    deps=[GATE_KEY],
    group_name=PUBLISH_GROUP,
    kinds={"excel", "html"},
    description="月度擂台通报（三(三)）：xlsx 与 html (the monthly 擂台 bulletin)",
)
def bulletin(context: dg.AssetExecutionContext, settings: XmkSettings):
    status = _require_open_gate(settings, "bulletin")
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "bulletin", write=False):
        con = duckdb.connect(str(paths.warehouse_db), read_only=True)
        try:
            files = write_bulletin(con, status.period_month, paths.out_dir)
        finally:
            con.close()
    context.log.info(f"bulletin written: {files.xlsx}")
    return dg.MaterializeResult(
        metadata={
            "xlsx": str(files.xlsx),
            "html": str(files.html),
            "month": str(files.period_month),
        }
    )


@dg.asset(
    key=dg.AssetKey(["publish", "snapshot"]),
    deps=[GATE_KEY, *dbt_warehouse.keys],
    group_name=PUBLISH_GROUP,
    kinds={"duckdb"},
    description="分析人员只读快照 published.duckdb，运行成功后整体替换 "
    "(the analysts' read-only snapshot, replaced atomically after a good run)",
)
def analyst_snapshot(context: dg.AssetExecutionContext, settings: XmkSettings):
    _require_open_gate(settings, "snapshot")
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "analysts' snapshot", write=False):
        info = publish_snapshot(paths.warehouse_db, paths.published_db)
    context.log.info(info.describe())
    return dg.MaterializeResult(
        metadata={
            "path": str(info.path),
            "latest_period_month": str(info.latest_period_month),
            "tables": len(info.row_counts),
        }
    )


@dg.asset(
    key=dg.AssetKey(["publish", "county_reports"]),
    deps=[DQ_FAILURES_MART],
    group_name=PUBLISH_GROUP,
    kinds={"excel", "html", "email"},
    description="各报送单位当月数据质量报告（xlsx、标注原表、html），邮件或发件箱 "
    "(each submitter's data-quality report for the month, mailed or left in the outbox)",
)
def county_reports(context: dg.AssetExecutionContext, settings: XmkSettings):
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "county reports", write=False):
        con = duckdb.connect(str(paths.warehouse_db), read_only=True)
        try:
            month = latest_report_month(con)
            regions = [
                dict(zip(("region_code", "region_name", "contact_email"), r, strict=True))
                for r in con.execute(
                    "select region_code, region_name, contact_email from raw.regions"
                ).fetchall()
            ]
            run = write_all_reports(paths.out_dir, con, regions, paths.raw_dir, month)
        finally:
            con.close()
    smtp = SmtpSettings.from_env(os.environ)
    sender = smtp.sender if smtp else "xmk@localhost"
    by_code = {r["region_code"]: r for r in regions}
    messages = [
        build_message(by_code[rep.region_code], rep.period_month, rep, sender)
        for rep in run.reports
    ]
    outbox = paths.out_dir / "outbox"
    delivery = deliver(messages, smtp, outbox, outbox / "send_log.jsonl")
    for warning in delivery.warnings:
        context.log.warning(warning)
    for failure in run.unattributed:
        context.log.warning(f"failure without a known submitter: {failure.source_file}")
    context.log.info(delivery.summary())
    return dg.MaterializeResult(
        metadata={
            "month": str(month),
            "reports": len(run.reports),
            "with_errors": sum(1 for rep in run.reports if rep.errors),
            "delivery": delivery.summary(),
        }
    )


publishing_assets = [publication_gate, bulletin, analyst_snapshot, county_reports]
publishing_checks = [no_errors_in_the_month]
