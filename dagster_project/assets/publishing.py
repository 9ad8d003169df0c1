"""Publishing (SPEC §4, §6): the gate, the county reports, the bulletin, the analysts'
snapshot.

The gate is where publication stops: the month's 擂台, 绩效考核 and showcase go out (in
the bulletin and in published.duckdb) only when no error-severity failure remains for
that month and the month is complete — every submitter of the regions reference has sent
its monthly lists and the statistics bureau's file is there, or the project centre has
exempted them (raw/reference/exemptions.csv). The bulletin and the snapshot each ask the
gate and, while it is shut, materialise nothing and say why: the run itself succeeds (a
month held back is the gate working, not a failure), and the gate's check
`month_complete_without_errors` fails, red in the UI, naming the regions missing and those
with errors. The county reports do not wait for the gate: a county with errors, or with
nothing sent, is exactly the one that needs its report.
"""

import os
from dataclasses import dataclass, field
from datetime import date

import dagster as dg

from dagster_project.assets.marts import dbt_warehouse
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.publish.bulletin import write_bulletin
from dagster_project.publish.county_report.run import write_all_reports
from dagster_project.publish.mail import (
    DeliveryReport,
    SmtpSettings,
    build_message,
    deliver,
    send_log_path,
)
from dagster_project.publish.render.labels import month_label
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.quality.list_rows import latest_report_month
from dagster_project.resources import XmkSettings

PUBLISH_GROUP = "publish"
GATE_KEY = dg.AssetKey(["publish", "gate"])
DQ_FAILURES_MART = dg.AssetKey(["marts", "fct_dq_failures"])
COMPLETENESS_MART = dg.AssetKey(["marts", "fct_submission_completeness"])
GATED_REPORTS = [
    dg.AssetKey(["marts", name])
    for name in ("rpt_arena_monthly", "rpt_assessment_monthly", "rpt_showcase_projects")
]


COMPLETENESS_RULES = ("missing_submission", "missing_statistics_file")

COUNTY_REPORTS_KEY = dg.AssetKey(["publish", "county_reports"])
MAIL_CHECK = "mail_delivered"
# county_reports' metadata that `xmk run` prints: this run's undelivered mail (a line, or
# "") and the reports an earlier run left waiting for the operator.
MAIL_PROBLEM = "mail_problem"
MAIL_HELD = "mail_held"


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


def gate_status(con) -> GateStatus:
    """The gate for the latest month with a county's monthly workbook (weekly returns of
    a month whose workbooks have not come yet do not move it)."""
    month = con.execute(
        """
        select max(period_month) from raw.effective_submission_lists
        where kind = 'county_monthly'
        """
    ).fetchone()[0]
    if month is None:
        return GateStatus(None)
    rows = con.execute(
        """
        select f.region_code, coalesce(r.region_name, f.region_code, '（未识别）'), count(*)
        from marts.fct_dq_failures f
        left join raw.regions r using (region_code)
        where f.severity = 'error' and f.period_month = ?
          and not list_contains(?::varchar[], f.rule)
        group by all
        order by 1
        """,
        [month, list(COMPLETENESS_RULES)],
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
        {code: (name, n) for code, name, n in rows},
        {code: (name, what) for code, name, what in missing},
        statistics_missing=statistics is False,
    )


def read_gate(settings: XmkSettings) -> GateStatus:
    db = settings.paths().warehouse_db
    with warehouse_lock(db, "publication gate", write=False):
        con = connect_warehouse(db, read_only=True)
        try:
            return gate_status(con)
        finally:
            con.close()


@dg.asset(
    key=GATE_KEY,
    deps=[DQ_FAILURES_MART, COMPLETENESS_MART, *GATED_REPORTS],
    group_name=PUBLISH_GROUP,
    kinds={"python"},
    description="发布闸门：当月各报送单位报齐（或已豁免）、统计局文件到位且无错误级数据质量问题，"
    "方可发布擂台、考核与展示名单 (the month is published only when it is complete and no "
    "error-severity failure remains)",
)
def publication_gate(context: dg.AssetExecutionContext, settings: XmkSettings):
    status = read_gate(settings)
    context.log.info(status.describe())
    return dg.MaterializeResult(
        metadata={
            "period_month": str(status.period_month),
            "is_open": status.is_open,
            "error_regions": {code: n for code, (_name, n) in status.errors.items()},
            "missing_regions": {code: what for code, (_name, what) in status.missing.items()},
            "statistics_missing": status.statistics_missing,
            "status": status.describe(),
            "submissions": dg.MetadataValue.md(_board(settings, status.period_month)),
        }
    )


def _board(settings: XmkSettings, month: date | None) -> str:
    """报送情况 of the month, as the project centre reads it in the UI."""
    if month is None:
        return "no county monthly submission yet"
    db = settings.paths().warehouse_db
    with warehouse_lock(db, "publication gate: submissions", write=False):
        con = connect_warehouse(db, read_only=True)
        try:
            rows = con.execute(
                """
                select region_code, region_name, missing_note, exemption_reason,
                       strftime(last_received_at, '%Y-%m-%d %H:%M'), error_count,
                       warning_count
                from marts.fct_submission_completeness
                where period_month = ?
                order by is_complete, region_code
                """,
                [month],
            ).fetchall()
        finally:
            con.close()
    lines = [
        "| 地区 region | 报送 submitted | 收到 received | 错误 errors | 警告 warnings |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for code, name, missing, exempted, received, errors, warnings in rows:
        state = f"豁免：{exempted}" if exempted else (missing or "已报齐")
        lines.append(f"| {name} {code} | {state} | {received or ''} | {errors} | {warnings} |")
    return "\n".join(lines)


@dg.asset_check(
    asset=GATE_KEY,
    name="month_complete_without_errors",
    description="Fails — and the bulletin and the analysts' snapshot are held back — while "
    "a submitter of the month has not sent its lists (and is not exempted), the statistics "
    "bureau's file is missing, or an error-severity data-quality failure remains.",
)
def month_complete_without_errors(settings: XmkSettings) -> dg.AssetCheckResult:
    status = read_gate(settings)
    return dg.AssetCheckResult(
        passed=status.is_open,
        severity=dg.AssetCheckSeverity.ERROR,
        description=status.describe(),
        metadata={
            "error_regions": {code: n for code, (_name, n) in status.errors.items()},
            "missing_regions": {code: what for code, (_name, what) in status.missing.items()},
            "statistics_missing": status.statistics_missing,
        },
    )


def _open_gate(context: dg.AssetExecutionContext, settings: XmkSettings, what: str):
    """The gate's status when it is open; None, said in the step's log, while it is shut."""
    status = read_gate(settings)
    if status.is_open:
        return status
    context.log.warning(f"{what} held back, the previous one stays: {status.describe()}")
    return None


@dg.asset(
    key=dg.AssetKey(["publish", "bulletin"]),
    deps=[GATE_KEY],
    group_name=PUBLISH_GROUP,
    kinds={"excel", "html"},
    description="月度擂台通报（三(三)）：xlsx 与 html (the monthly 擂台 bulletin)",
    # Not materialised while the gate is shut.
    output_required=False,
)
def bulletin(context: dg.AssetExecutionContext, settings: XmkSettings):
    status = _open_gate(context, settings, "bulletin")
    if status is None:
        return
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "bulletin", write=False):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
        try:
            files = write_bulletin(con, status.period_month, paths.out_dir)
        finally:
            con.close()
    context.log.info(
        f"bulletin written: {files.xlsx}"
        if files.written
        else f"bulletin unchanged (same content as published): {files.xlsx}"
    )
    yield dg.MaterializeResult(
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
    output_required=False,
)
def analyst_snapshot(context: dg.AssetExecutionContext, settings: XmkSettings):
    if _open_gate(context, settings, "snapshot") is None:
        return
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "analysts' snapshot", write=False):
        info = publish_snapshot(paths.warehouse_db, paths.published_db)
    context.log.info(info.describe())
    yield dg.MaterializeResult(
        metadata={
            "path": str(info.path),
            "latest_period_month": str(info.latest_period_month),
            "tables": len(info.row_counts),
        }
    )


@dg.asset(
    key=COUNTY_REPORTS_KEY,
    deps=[DQ_FAILURES_MART],
    group_name=PUBLISH_GROUP,
    kinds={"excel", "html", "email"},
    description="各报送单位当月数据质量报告（xlsx、标注原表、html），邮件或发件箱 "
    "(each submitter's data-quality report for the month, mailed or left in the outbox)",
    check_specs=[
        dg.AssetCheckSpec(
            MAIL_CHECK,
            asset=COUNTY_REPORTS_KEY,
            description="Every report mailed in this run was accepted by the SMTP server. "
            "Fails (WARN) when one was refused for now or could not be sent, which the next "
            "run retries; (ERROR) when one was refused for good or its reply was lost, which "
            "waits for `xmk mail release`. Never stops the other publications.",
        )
    ],
)
def county_reports(context: dg.AssetExecutionContext, settings: XmkSettings):
    paths = settings.paths()
    with warehouse_lock(paths.warehouse_db, "county reports", write=False):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
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
    delivery = deliver(messages, smtp, paths.out_dir / "outbox", send_log_path(paths.out_dir))
    for warning in delivery.warnings:
        context.log.warning(warning)
    for failure in run.unattributed:
        context.log.warning(f"failure without a known submitter: {failure.source_file}")
    context.log.info(delivery.summary())
    names = {code: r["region_name"] for code, r in by_code.items()}
    problem, held = delivery.problem_line(names), delivery.held_line(names)
    for line in (problem, held):
        if line:
            context.log.warning(line)
    return dg.MaterializeResult(
        metadata={
            "month": str(month),
            "reports": len(run.reports),
            "with_errors": sum(1 for rep in run.reports if rep.errors),
            "delivery": delivery.summary(),
            "mail": delivery.counts(),
            MAIL_PROBLEM: problem or "",
            MAIL_HELD: held or "",
        },
        check_results=[_mail_check(delivery, smtp is not None, problem, held)],
    )


def _mail_check(
    delivery: DeliveryReport, mailing: bool, problem: str | None, held: str | None
) -> dg.AssetCheckResult:
    """Whether this run's mail went; a failed mail never fails the asset (the bulletin
    and the snapshot must still go out), `xmk run` says it and exits 4."""
    if not mailing:
        description = f"no SMTP configured: {len(delivery.written)} reports in the outbox"
    else:
        description = problem or "every report mailed in this run was accepted"
    if held:
        description += "\n" + held
    return dg.AssetCheckResult(
        check_name=MAIL_CHECK,
        passed=delivery.ok,
        severity=(
            dg.AssetCheckSeverity.ERROR
            if any(f.held for f in delivery.undelivered)
            else dg.AssetCheckSeverity.WARN
        ),
        description=description,
        metadata=delivery.counts(),
    )


publishing_assets = [publication_gate, bulletin, analyst_snapshot, county_reports]
publishing_checks = [month_complete_without_errors]
