"""Delivering county reports (SPEC §4): by SMTP when `XMK_SMTP_*` is set, otherwise as
`.eml` files in the outbox for the project centre to send by hand.

Each message carries a key — region, month and the digest of the report — and a send
log (JSON lines) records the keys the server accepted. A re-run skips those, so a county
never receives the same report twice, while a report that failed (4xx, 5xx, timeout,
no connection) or that changed is sent on the next run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from dagster_project.publish.county_reports import ReportFiles, month_label

KEY_HEADER = "X-Xmk-Report-Key"
REGION_HEADER = "X-Xmk-Region"
DEFAULT_SENDER = "项目库 <xmk@localhost>"
DEFAULT_TIMEOUT = 30.0
SENT = "sent"
FAILED = "failed"

_XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_ADDRESS_SEPARATORS = re.compile(r"[,;，；、\s]+")
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


def contact_addresses(region: Mapping) -> list[str]:
    """The region's contact_email, which may hold several addresses."""
    text = region.get("contact_email") or ""
    return [a for a in _ADDRESS_SEPARATORS.split(text) if "@" in a]


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
        "本邮件由项目库系统发送，请勿直接回复；如有疑问请联系市发改委项目中心。",
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
    msg["Message-ID"] = make_msgid(domain="xmk.local")
    msg[KEY_HEADER] = report_key(region["region_code"], month, report_files.content_sha256)
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


# --------------------------------------------------------------------------- send log


class SendLog:
    """JSON lines, one per attempt. Only `sent` entries stop a later send; a line cut off
    by a crash is ignored. A crash between the server's acceptance and the log line means
    one duplicate on the next run — SMTP gives no way to ask whether a mail arrived."""

    def __init__(self, path: Path):
        self.path = path

    def sent_keys(self) -> set[str]:
        if not self.path.exists():
            return set()
        keys = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and entry.get("status") == SENT:
                keys.add(entry.get("key"))
        return keys

    def _ends_with_newline(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return True
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def record(self, key: str, region_code: str, to: Iterable[str], status: str, error=None):
        entry = {
            "key": key,
            "region_code": region_code,
            "to": list(to),
            "status": status,
            "at": datetime.now().isoformat(timespec="seconds"),
        }
        if error:
            entry["error"] = error
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        if not self._ends_with_newline():
            line = "\n" + line  # do not glue this entry to a line a crash cut off
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class DeliveryFailure:
    key: str
    region_code: str
    to: tuple[str, ...]
    error: str
    code: int | None  # the SMTP reply code, when the server answered
    permanent: bool  # 5xx or a configuration problem: retrying alone will not help


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # .eml files in the outbox
    failed: list[DeliveryFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [
            f"reports: {len(self.sent)} sent, {len(self.already_sent)} sent before, "
            f"{len(self.written)} in outbox, {len(self.failed)} failed"
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        for f in self.failed:
            kind = "permanent" if f.permanent else "will retry"
            lines.append(f"  failed {f.key} to {', '.join(f.to)} ({kind}): {f.error}")
        return "\n".join(lines)


class _Unreachable(Exception):
    """The server could not be reached or refused the session (connect, STARTTLS,
    login): every later message would fail the same way."""


def deliver(
    messages: Iterable[EmailMessage],
    settings_or_none: SmtpSettings | None,
    outbox_dir: Path,
    send_log_path: Path,
) -> DeliveryReport:
    """Send each message not sent before, or write it to the outbox without SMTP settings.
    One message's failure does not stop the others; if the server cannot be reached at
    all, the remaining messages are reported failed without another attempt each."""
    log = SendLog(send_log_path)
    done = log.sent_keys()
    report = DeliveryReport()
    pending = []
    for msg in messages:
        key = msg[KEY_HEADER]
        if key is None:
            raise ValueError("message without a report key; build it with build_message")
        if not msg["To"]:
            report.warnings.append(
                f"{msg[REGION_HEADER]} 未登记联系邮箱（contact_email），未发送：{msg['Subject']}"
            )
        elif key in done:
            report.already_sent.append(key)
        else:
            done.add(key)  # the same report twice in one batch goes once
            pending.append(msg)
    if settings_or_none is None:
        for msg in pending:
            report.written.append(_write_eml(outbox_dir, msg))
        return report
    _send_all(pending, settings_or_none, log, report)
    return report


def _write_eml(outbox_dir: Path, msg: EmailMessage) -> Path:
    path = outbox_dir / f"{msg[KEY_HEADER]}.eml"
    if not path.exists():  # same key, same report: the file there already says it
        outbox_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(msg.as_bytes())
        os.replace(tmp, path)
    return path


def _send_all(pending, settings: SmtpSettings, log: SendLog, report: DeliveryReport) -> None:
    smtp = None
    unreachable: DeliveryFailure | None = None
    try:
        for msg in pending:
            key, region, to = msg[KEY_HEADER], msg[REGION_HEADER], _recipients(msg)
            if unreachable is not None:
                failure = DeliveryFailure(
                    key, region, to, f"未尝试：{unreachable.error}", None, unreachable.permanent
                )
                report.failed.append(failure)
                log.record(key, region, to, FAILED, failure.error)
                continue
            try:
                if smtp is None:
                    smtp = _open(settings)
                refused = smtp.send_message(msg)
            except Exception as exc:
                failure = _failure(key, region, to, exc)
                report.failed.append(failure)
                log.record(key, region, to, FAILED, failure.error)
                if isinstance(exc, _Unreachable):
                    unreachable = failure
                # After a timeout, a dropped line or a 421 the session's state is unknown:
                # hang up without QUIT (a late reply would be read as its answer) and start
                # the next message on a fresh connection.
                if smtp is not None:
                    smtp.close()
                smtp = None
                continue
            report.sent.append(key)
            log.record(key, region, to, SENT)
            if refused:
                addresses = "、".join(refused)
                report.warnings.append(f"{region} 的部分收件地址被拒收：{addresses}")
    finally:
        _close(smtp)


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except Exception as exc:
        raise _Unreachable(exc) from exc
    try:
        smtp.ehlo()
        if settings.starttls:
            smtp.starttls(context=settings.tls_context or ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            _login(smtp, settings.user, settings.password or "")
    except Exception as exc:
        smtp.close()
        raise _Unreachable(exc) from exc
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    try:
        smtp.login(user, password)
    except UnicodeEncodeError:
        # smtplib encodes credentials as ASCII; AUTH PLAIN itself carries UTF-8 (RFC 4616),
        # and a Chinese password is not unusual here.
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
        code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply) from None


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except Exception:  # the line may already be gone; closing is all that is left
        smtp.close()


def _recipients(msg: EmailMessage) -> tuple[str, ...]:
    return tuple(a.addr_spec for a in msg["To"].addresses)


def _failure(key: str, region: str, to: tuple[str, ...], exc: Exception) -> DeliveryFailure:
    """Classify an error: the SMTP reply code when there is one (4xx transient, 5xx
    permanent); timeouts and refused or dropped connections are transient; TLS and
    protocol mismatches are configuration problems."""
    cause = exc.__cause__ if isinstance(exc, _Unreachable) and exc.__cause__ else exc
    code = None
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in cause.recipients.values()]
        code = max(codes) if codes else None
    elif isinstance(cause, smtplib.SMTPResponseException):
        code = cause.smtp_code
    if code is not None:
        permanent = code >= 500
    else:
        permanent = isinstance(cause, ssl.SSLError | smtplib.SMTPNotSupportedError)
    text = str(cause) or type(cause).__name__
    return DeliveryFailure(key, region, to, f"{type(cause).__name__}: {text}", code, permanent)
