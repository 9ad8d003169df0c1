"""The mail for one county report — and for one department's list of open issues: the
SMTP settings from XMK_SMTP_*, the report's key and the Message-ID made from it, the
addresses, subject, body and attachments."""

from __future__ import annotations

import hashlib
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from dagster_project.ingest.reference import addresses
from dagster_project.publish.county_report.store import ReportFiles
from dagster_project.publish.render.labels import month_label

KEY_HEADER = "X-Xmk-Report-Key"
REGION_HEADER = "X-Xmk-Region"
DEFAULT_SENDER = "项目库 <xmk@localhost>"
DEFAULT_TIMEOUT = 30.0
# Servers check a message before they answer it; RFC 5321 §4.5.3.2.6 lets them take ten
# minutes. The longer the wait, the fewer `unknown` messages need the operator.
DEFAULT_DATA_TIMEOUT = 120.0
MESSAGE_ID_DOMAIN = "xmk.local"

_XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_SENDER
    starttls: bool = False
    timeout: float = DEFAULT_TIMEOUT  # seconds, per connection and per command
    # seconds to wait for the reply once the whole message went; past it: `unknown`
    data_timeout: float = DEFAULT_DATA_TIMEOUT
    # Whom to trust for STARTTLS; None is the system's certificate authorities.
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT
    ) -> SmtpSettings | None:
        """Settings from XMK_SMTP_*; None when XMK_SMTP_HOST is unset (write the outbox).
        The port defaults to 587 with STARTTLS, else 25; the sender to XMK_SMTP_USER when
        that is an address."""

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        host = get("XMK_SMTP_HOST")
        if host is None:
            return None
        starttls = _flag(get("XMK_SMTP_STARTTLS"), "XMK_SMTP_STARTTLS")
        port_text = get("XMK_SMTP_PORT")
        port = 587 if starttls else 25
        if port_text is not None:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise ValueError(f"XMK_SMTP_PORT must be a port number, not {port_text!r}")
            port = int(port_text)
        user = get("XMK_SMTP_USER")
        sender = get("XMK_SMTP_FROM") or (user if user and "@" in user else f"xmk@{host}")
        return cls(
            host=host,
            port=port,
            user=user,
            password=environ.get("XMK_SMTP_PASSWORD") or None,
            sender=sender,
            starttls=starttls,
            timeout=timeout,
        )


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


# --------------------------------------------------------------------------- messages


def report_key(region_code: str, period_month: date, content_sha256: str) -> str:
    """Stable across runs for the same report; new when the report changes."""
    code = re.sub(r"[^0-9A-Za-z_-]", "_", region_code)
    return f"{code}_{period_month:%Y-%m}_{content_sha256[:16]}"


def message_id(key: str) -> str:
    """The same report keeps its Message-ID across retries: a receiver that got the first
    copy of a mail whose reply was lost can tell the second one for what it is."""
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


def contact_addresses(region: Mapping) -> list[str]:
    """The region's contact_email, which may hold several addresses."""
    return [a for a in addresses(region.get("contact_email") or "") if "@" in a]


def subject(region_name: str, period_month: date, errors: int) -> str:
    outcome = f"{errors}项错误" if errors else "无错误"
    return f"【项目库】{region_name}{month_label(period_month)}数据质量报告：{outcome}"


def body(region: Mapping, period_month: date, report: ReportFiles) -> str:
    lines = [
        f"{region['region_name']}（{region['region_code']}）：",
        "",
        f"附件为贵单位{month_label(period_month)}报送数据的质量检查结果。",
        f"结论：{report.verdict}。",
        f"错误 {report.errors} 项，警告 {report.warnings} 项。",
        "",
        *report.guidance,
    ]
    if report.by_sheet:
        lines += ["", "按文件和工作表："]
        lines += [f"  {f} / {s}：错误 {e}，警告 {w}" for f, s, e, w in report.by_sheet]
    lines += ["", "附件："]
    lines.append(f"  {report.workbook.name} — 汇总与明细")
    lines += [
        f"  {p.name} — 贵单位报送的工作簿，问题单元格已标色并加批注" for p in report.annotated
    ]
    lines.append(f"  {report.html.name} — 同一报告的网页版，可用浏览器打开")
    lines += [f"  注：{note}" for note in report.notes]
    lines += [
        "",
        "“错误”须修改后重新报送，否则本月数据不予发布；“警告”请核实。",
        "本邮件由项目库系统发送，请勿直接回复。",
    ]
    return "\n".join(lines) + "\n"


def build_message(
    region: Mapping, period_month: date, report_files: ReportFiles, sender: str
) -> EmailMessage:
    """The mail for one report, with the .xlsx files and the .html attached. A region
    without a contact address gets a message without To, which `deliver` does not send."""
    if report_files.region_code != region["region_code"]:
        raise ValueError(
            f"report of {report_files.region_code!r} addressed to {region['region_code']!r}"
        )
    month = period_month.replace(day=1)
    msg = EmailMessage()
    msg["Subject"] = subject(region["region_name"], month, report_files.errors)
    msg["From"] = sender
    to = contact_addresses(region)
    if to:
        msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    key = report_key(region["region_code"], month, report_files.content_sha256)
    msg["Message-ID"] = message_id(key)
    msg[KEY_HEADER] = key
    msg[REGION_HEADER] = region["region_code"]
    msg.set_content(body(region, month, report_files))
    for path in (report_files.workbook, *report_files.annotated):
        msg.add_attachment(path.read_bytes(), *_XLSX, filename=path.name)
    msg.add_attachment(
        report_files.html.read_text(encoding="utf-8"),
        subtype="html",
        charset="utf-8",
        filename=report_files.html.name,
    )
    return msg


# --------------------------------------------------------------------------- departments


def department_key(department: str, period_month: date, content_sha256: str) -> str:
    """As report_key, for a department's list: its name (Chinese, so by its digest), the
    month and the digest of the list's content."""
    name = hashlib.sha256(department.encode()).hexdigest()[:12]
    return f"dept-{name}_{period_month:%Y-%m}_{content_sha256[:16]}"


def build_department_message(
    department: str,
    leader: str | None,
    period_month: date,
    workbook: Path,
    summary: tuple[int, int],
    content_sha256: str,
    to: list[str],
    sender: str,
) -> EmailMessage:
    """The mail of a department's list of open issues (三(四) "谁主管、谁负责"), the list
    attached. `summary` is (open, overdue). The department stands where a county report
    has its region (REGION_HEADER, the send log's region_code); without an address the
    message has no To, and `deliver` says so instead of sending it."""
    month = period_month.replace(day=1)
    open_count, overdue = summary
    msg = EmailMessage()
    msg["Subject"] = (
        f"【项目库】{department}{month_label(month)}未办结问题清单：{open_count}项"
        f"（超期{overdue}项）"
    )
    msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    key = department_key(department, month, content_sha256)
    msg["Message-ID"] = message_id(key)
    msg[KEY_HEADER] = key
    msg[REGION_HEADER] = department
    lines = [
        f"{department}：",
        "",
        f"附件为{month_label(month)}各县（市）区问题台账中由贵单位负责协调、尚未办结的问题，"
        f"共{open_count}项，其中超过办结时限{overdue}项"
        f"（分管市领导：{leader or '未明确'}）。",
        "请按办结时限协调解决，并告知报送地区在问题台账中更新办理状态。",
        "",
        "附件：",
        f"  {workbook.name} — 问题清单（超期的问题标红，最久的在前）",
        "",
        "本邮件由项目库系统发送，请勿直接回复。",
    ]
    msg.set_content("\n".join(lines) + "\n")
    msg.add_attachment(workbook.read_bytes(), *_XLSX, filename=workbook.name)
    return msg
