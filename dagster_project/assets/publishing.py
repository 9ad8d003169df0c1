"""Publishing (SPEC §4, §6) as assets: the gate, the county reports, the bulletin, the
analysts' snapshot. What the gate decides is publish/gate.py's; what each output writes is
its module's under publish/. Here they are wired: each output's deps are the marts its
module READS.

The bulletin and the snapshot ask the gate and, while it is shut, materialise nothing and
say why: the run itself succeeds (a month held back is the gate working, not a failure),
and the gate's check `month_complete_without_errors` fails, red in the UI, naming the
regions missing and those with errors. The county reports do not wait for the gate: a
county with errors, or with nothing sent, is exactly the one that needs its report.
"""

import os
from datetime import date

import dagster as dg

from dagster_project.assets.marts import dbt_warehouse
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.publish.bulletin.content import READS as BULLETIN_READS
from dagster_project.publish.bulletin.writer import write_bulletin
from dagster_project.publish.county_report.run import READS as COUNTY_REPORT_READS
from dagster_project.publish.county_report.run import (
    latest_month,
    report_regions,
    write_all_reports,
)
from dagster_project.publish.gate import READS as GATE_READS
from dagster_project.publish.gate import GateStatus, gate_status
from dagster_project.publish.mail import (
    DeliveryReport,
    SmtpSettings,
    build_message,
    deliver,
    send_log_path,
)
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.resources import XmkSettings

PUBLISH_GROUP = "publish"
GATE_KEY = dg.AssetKey(["publish", "gate"])
DQ_FAILURES_MART = dg.AssetKey(["marts", "fct_dq_failures"])


def mart_keys(names) -> list[dg.AssetKey]:
    """The dbt assets of marts named in an output module's READS."""
    return [dg.AssetKey(["marts", name]) for name in names]


# What the gate holds back: the rpt_ models the bulletin reads (the showcase among them).
GATED_REPORTS = mart_keys(name for name in BULLETIN_READS if name.startswith("rpt_"))

COUNTY_REPORTS_KEY = dg.AssetKey(["publish", "county_reports"])
MAIL_CHECK = "mail_delivered"
# county_reports' metadata that `xmk run` prints: this run's undelivered mail (a line, or
# "") and the reports an earlier run left waiting for the operator.
MAIL_PROBLEM = "mail_problem"
MAIL_HELD = "mail_held"


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
    deps=[*mart_keys(GATE_READS), *GATED_REPORTS],
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
    deps=[GATE_KEY, *mart_keys(BULLETIN_READS)],
    group_name=PUBLISH_GROUP,
    kinds={"word", "pdf", "html", "excel"},
    description="月度擂台通报（三(三)）：docx、pdf、html（含各地项目明细页）与 xlsx "
    "(the monthly 擂台 bulletin as issued, with its PDF, page and workbook)",
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
            files = write_bulletin(con, status.period_month, paths.out_dir, paths.reference_dir)
        finally:
            con.close()
    context.log.info(
        f"bulletin written: {files.docx}"
        if files.written
        else f"bulletin unchanged (same content as published): {files.docx}"
    )
    if files.pdf_problem:
        context.log.warning(files.pdf_problem)
    yield dg.MaterializeResult(
        metadata={
            "docx": str(files.docx),
            "pdf": str(files.pdf) if not files.pdf_problem else files.pdf_problem,
            "html": str(files.html),
            "xlsx": str(files.xlsx),
            "region_pages": len(files.regions),
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
    deps=mart_keys(COUNTY_REPORT_READS),
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
            month = latest_month(con)
            regions = report_regions(con)
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
