"""Delivering county reports (SPEC §4): by SMTP when `XMK_SMTP_*` is set, otherwise as
`.eml` files in the outbox for the project centre to send by hand.

Each message carries a key — region, month and the digest of the report — and its
Message-ID is made from the key, so the same report keeps it across retries. The send log
(JSON lines, `out/outbox/send_log.jsonl`) records every attempt with what became of it:

* `sent`     the server answered 250 to the message: never sent again;
* `refused`  the server said no (to MAIL, RCPT, DATA or the message): a 4xx is tried
             again on the next run, a 5xx is held until the operator releases it (or
             the recipients change, e.g. a corrected contact_email);
* `failed`   nothing was handed over (no connection, TLS or login refused, the line
             dropped or timed out before the whole message went): tried again next run;
* `unknown`  the whole message, its final `.` included, went to the server, and its
             reply was lost (a timeout, a dropped line): it may have arrived, so it is
             held — never sent again unless the operator releases it
             (`xmk mail release KEY`). A `sending` line without a later one is a run
             that stopped while handing the message over, and counts as `unknown`.

SMTP gives no way to ask a server afterwards whether a message arrived; the operator asks
the county, or looks the Message-ID up in the mail server's log.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import formatdate, getaddresses
from functools import partial
from pathlib import Path

from dagster_project.publish.county_report.store import ReportFiles
from dagster_project.publish.render.files import write_atomically
from dagster_project.publish.render.labels import month_label
from dagster_project.settings import command_name

KEY_HEADER = "X-Xmk-Report-Key"
REGION_HEADER = "X-Xmk-Region"
DEFAULT_SENDER = "项目库 <xmk@localhost>"
DEFAULT_TIMEOUT = 30.0
# Servers check a message before they answer it; RFC 5321 §4.5.3.2.6 lets them take ten
# minutes. The longer the wait, the fewer `unknown` messages need the operator.
DEFAULT_DATA_TIMEOUT = 120.0
MESSAGE_ID_DOMAIN = "xmk.local"
SEND_LOG_NAME = "send_log.jsonl"

SENT = "sent"  # 250 to the message
REFUSED = "refused"  # a 4xx or 5xx reply
FAILED = "failed"  # nothing handed over
UNKNOWN = "unknown"  # handed over whole, the reply lost
SENDING = "sending"  # written before the message goes; alone, the run stopped: unknown
RELEASED = "released"  # the operator's word: send it again

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


def send_log_path(out_dir: Path) -> Path:
    return out_dir / "outbox" / SEND_LOG_NAME


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


# --------------------------------------------------------------------------- send log


def is_held(entry: Mapping, to: Iterable[str] | None = None) -> bool:
    """Whether a message in this state waits for the operator's word: it went to the
    server and the reply was lost (it may have arrived), or the server refused it for good
    (5xx) — unless it is now addressed to others (a corrected contact_email)."""
    status = entry.get("status")
    if status in (UNKNOWN, SENDING):
        return True
    if status == REFUSED and _is_permanent_code(entry.get("code")):
        return to is None or sorted(to) == sorted(entry.get("to") or [])
    return False


def _is_permanent_code(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


class SendLog:
    """JSON lines: `sending` when a message is about to go, then what became of it, and
    `released` when the operator lets a held message go again. A key's state is its last
    line, except that a key once `sent` stays sent; a line cut off by a crash is ignored.
    A crash after the `sending` line leaves the message `unknown`, never sent twice."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("key"), str)
                and isinstance(entry.get("status"), str)
            ):
                found.append(entry)
        return found

    def states(self) -> dict[str, dict]:
        """Each key's deciding entry, in the order the keys first appear."""
        states: dict[str, dict] = {}
        for entry in self.entries():
            if states.get(entry["key"], {}).get("status") != SENT:
                states[entry["key"]] = entry
        return states

    def _ends_with_newline(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return True
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def record(
        self, key: str, region_code: str, to: Iterable[str], status: str, error=None, **extra
    ) -> None:
        entry = {
            "key": key,
            "region_code": region_code,
            "to": list(to),
            "status": status,
            "at": datetime.now().isoformat(timespec="seconds"),
        }
        if error:
            entry["error"] = error
        entry.update({name: value for name, value in extra.items() if value is not None})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        if not self._ends_with_newline():
            line = "\n" + line  # do not glue this entry to a line a crash cut off
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


@dataclass(frozen=True)
class Release:
    released: list[str] = field(default_factory=list)
    # key -> why it was not released (unknown key, sent, not held)
    refused: dict[str, str] = field(default_factory=dict)


def release(
    log_path: Path, keys: Iterable[str] = (), all_unknown: bool = False, all_held: bool = False
) -> Release:
    """The operator's word: the held messages named (or every `unknown` one, or every held
    one) may go again; the next run sends them, while their report is still the latest
    month's. A message the server accepted (250) is never released."""
    log = SendLog(log_path)
    states = log.states()
    wanted = list(dict.fromkeys(keys))
    for key, entry in states.items():
        unknown = entry["status"] in (UNKNOWN, SENDING)
        if key not in wanted and ((all_unknown and unknown) or (all_held and is_held(entry))):
            wanted.append(key)
    result = Release()
    for key in wanted:
        entry = states.get(key)
        if entry is None:
            result.refused[key] = "not in the send log"
        elif entry["status"] == SENT:
            result.refused[key] = f"accepted by the server (250) at {entry.get('at')}"
        elif not is_held(entry):
            result.refused[key] = f"not held ({_state_text(entry)}): the next run tries it"
        else:
            log.record(
                key,
                entry.get("region_code", ""),
                entry.get("to") or [],
                RELEASED,
                previous=_state_text(entry),
                message_id=entry.get("message_id"),
            )
            result.released.append(key)
    return result


def _state_text(entry: Mapping) -> str:
    status, code = entry.get("status"), entry.get("code")
    if status == SENDING:
        return "unknown: the run stopped while handing it over"
    if status == REFUSED and code:
        return f"refused {code}"
    return str(status)


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class DeliveryFailure:
    """A message of this run that did not go: refused, failed or unknown."""

    key: str
    region_code: str
    to: tuple[str, ...]
    error: str
    code: int | None  # the SMTP reply code, when the server answered
    permanent: bool  # 5xx or a configuration problem: retrying alone will not help
    status: str = FAILED  # refused | failed | unknown

    @property
    def held(self) -> bool:
        """Not sent again until the operator releases it."""
        return self.status == UNKNOWN or (self.status == REFUSED and self.permanent)

    def outcome(self) -> str:
        if self.status == UNKNOWN:
            return "sent, reply unknown: held until released"
        if self.status == REFUSED:
            return f"{self.code}, " + ("held until released" if self.held else "will retry")
        if self.permanent:
            return "will retry; retrying alone will not help: check the SMTP settings"
        return "will retry"


@dataclass(frozen=True)
class HeldMessage:
    """A message of this run not tried because an earlier run left it waiting for the
    operator."""

    key: str
    region_code: str
    to: tuple[str, ...]
    state: str  # "unknown", "refused 550", …
    since: str
    error: str | None

    @classmethod
    def from_entry(cls, entry: Mapping) -> HeldMessage:
        return cls(
            entry["key"],
            entry.get("region_code", ""),
            tuple(entry.get("to") or ()),
            _state_text(entry),
            entry.get("at", "?"),
            entry.get("error"),
        )


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    held: list[HeldMessage] = field(default_factory=list)  # waiting for the operator
    written: list[Path] = field(default_factory=list)  # .eml files in the outbox
    undelivered: list[DeliveryFailure] = field(default_factory=list)  # tried, not sent
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[DeliveryFailure]:
        return [f for f in self.undelivered if f.status == REFUSED]

    @property
    def failed(self) -> list[DeliveryFailure]:
        return [f for f in self.undelivered if f.status == FAILED]

    @property
    def unknown(self) -> list[DeliveryFailure]:
        return [f for f in self.undelivered if f.status == UNKNOWN]

    @property
    def ok(self) -> bool:
        """Every message tried in this run was accepted."""
        return not self.undelivered

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sent),
            "refused": len(self.refused),
            "failed": len(self.failed),
            "unknown": len(self.unknown),
            "held": len(self.held),
            "sent_before": len(self.already_sent),
            "outbox": len(self.written),
        }

    def summary(self) -> str:
        n = self.counts()
        lines = [
            f"reports: {n['sent']} sent, {n['refused']} refused, {n['failed']} failed, "
            f"{n['unknown']} unknown, {n['held']} held (not retried), "
            f"{n['sent_before']} sent before, {n['outbox']} in outbox"
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        for f in self.undelivered:
            lines.append(f"  {f.status} {f.key} to {', '.join(f.to)} ({f.outcome()}): {f.error}")
        for h in self.held:
            lines.append(
                f"  held {h.key} to {', '.join(h.to)} ({h.state} since {h.since}; "
                f"`{command_name()} mail release {h.key}` sends it again)"
            )
        return "\n".join(lines)

    def problem_line(self, names: Mapping[str, str] | None = None) -> str | None:
        """The line `xmk run` prints when a message of this run did not go, naming the
        counties; None when every message tried was accepted (or none was tried)."""
        if self.ok:
            return None
        names = names or {}
        tried = len(self.sent) + len(self.undelivered)
        n = self.counts()
        groups: dict[str, list[str]] = {}
        for f in self.undelivered:
            groups.setdefault(_what(f), []).append(names.get(f.region_code, f.region_code))
        who = "; ".join(f"{what}: {'、'.join(regions)}" for what, regions in groups.items())
        return (
            f"mail NOT delivered: {len(self.undelivered)} of {tried} county reports "
            f"({n['refused']} refused, {n['failed']} failed, {n['unknown']} unknown) — {who}. "
            f"`{command_name()} mail status` lists them."
        )

    def held_line(self, names: Mapping[str, str] | None = None) -> str | None:
        """The line for the reports held from an earlier run, waiting for the operator."""
        if not self.held:
            return None
        names = names or {}
        groups: dict[str, list[str]] = {}
        for h in self.held:
            groups.setdefault(h.state, []).append(names.get(h.region_code, h.region_code))
        who = "; ".join(f"{state}: {'、'.join(regions)}" for state, regions in groups.items())
        return (
            f"mail held: {len(self.held)} county reports not sent again until released — "
            f"{who}. `{command_name()} mail status`, then `{command_name()} mail release KEY` "
            "to send one again."
        )


def _what(f: DeliveryFailure) -> str:
    if f.status == UNKNOWN:
        return "sent, reply unknown, held"
    if f.status == REFUSED:
        return f"refused {f.code}, {'held' if f.held else 'will retry'}"
    return "failed, will retry"


class _Unreachable(Exception):
    """The server could not be reached or refused the session (connect, STARTTLS,
    login): every later message would fail the same way."""


class _ReplyLost(Exception):
    """The whole message went to the server; its reply did not come back."""


def deliver(
    messages: Iterable[EmailMessage],
    settings_or_none: SmtpSettings | None,
    outbox_dir: Path,
    send_log_path: Path,
) -> DeliveryReport:
    """Send each message not sent before and not held, or write it to the outbox without
    SMTP settings. One message's refusal does not stop the others; when the server cannot
    be reached, or took a message and lost its reply, the remaining messages are left for
    the next run (failed, not tried) rather than tried one by one."""
    log = SendLog(send_log_path)
    states = log.states()
    report = DeliveryReport()
    pending = []
    seen: set[str] = set()
    for msg in messages:
        key = msg[KEY_HEADER]
        if key is None:
            raise ValueError("message without a report key; build it with build_message")
        entry = states.get(key)
        if not msg["To"]:
            report.warnings.append(
                f"{msg[REGION_HEADER]} 未登记联系邮箱（contact_email），未发送：{msg['Subject']}"
            )
        elif key in seen or (entry is not None and entry["status"] == SENT):
            report.already_sent.append(key)  # the same report twice in one batch goes once
        elif entry is not None and is_held(entry, _recipients(msg)):
            seen.add(key)
            report.held.append(HeldMessage.from_entry(entry))
        else:
            seen.add(key)
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
        write_atomically(path, msg.as_bytes())
    return path


def _send_all(pending, settings: SmtpSettings, log: SendLog, report: DeliveryReport) -> None:
    smtp = None
    stop: DeliveryFailure | None = None  # why the rest are left for the next run
    try:
        for msg in pending:
            key, region, to = msg[KEY_HEADER], msg[REGION_HEADER], _recipients(msg)
            msg_id = msg["Message-ID"]
            if stop is not None:
                reason = f"未尝试：{stop.error}"
                if stop.status == UNKNOWN:
                    reason = f"未尝试：服务器收下 {stop.key} 后未答复（{stop.error}）"
                failure = DeliveryFailure(key, region, to, reason, None, stop.permanent)
                report.undelivered.append(failure)
                log.record(key, region, to, FAILED, failure.error, message_id=msg_id)
                continue
            try:
                if smtp is None:
                    smtp = _open(settings)
                refused = _transmit(
                    smtp,
                    msg,
                    to,
                    settings,
                    before_body=partial(log.record, key, region, to, SENDING, message_id=msg_id),
                )
            except Exception as exc:
                failure = _failure(key, region, to, exc)
                report.undelivered.append(failure)
                log.record(
                    key, region, to, failure.status, failure.error, code=failure.code,
                    message_id=msg_id,
                )  # fmt: skip
                if isinstance(exc, _Unreachable | _ReplyLost):
                    stop = failure
                # After a timeout, a dropped line or a refusal the session's state is
                # unknown: hang up without QUIT (a late reply would be read as its answer)
                # and start the next message on a fresh connection.
                if smtp is not None:
                    smtp.close()
                smtp = None
                continue
            report.sent.append(key)
            log.record(key, region, to, SENT, message_id=msg_id)
            if refused:
                addresses = "、".join(refused)
                report.warnings.append(f"{region} 的部分收件地址被拒收：{addresses}")
    finally:
        _close(smtp)


def _transmit(smtp: smtplib.SMTP, msg: EmailMessage, to, settings: SmtpSettings, before_body):
    """One mail transaction, command by command, so that it is known whether the whole
    message reached the server: smtplib's `sendmail` reports a lost reply and a line lost
    half-way through the message alike (SMTPServerDisconnected). Returns the recipients
    refused when others were accepted; raises _ReplyLost once the message went whole."""
    from_addr = getaddresses([str(msg["From"])])[0][1]
    flat, options = _flatten(smtp, msg, [from_addr, *to])
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    refused = {}
    for address in to:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
        if code == 421:
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(to):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    before_body()
    # sendall returns once the last byte, the final ".", is with the system; until then an
    # error means the server cannot have the whole message (SMTPServerDisconnected: failed).
    smtp.send(_dot_stuffed(flat))
    # From here on the server may have the whole message and deliver it, whatever becomes
    # of its reply (a line that breaks now cannot tell which): a lost reply is `unknown`.
    smtp.sock.settimeout(settings.data_timeout)
    try:
        code, reply = smtp.getreply()  # a timeout or a closed line: SMTPServerDisconnected
    except smtplib.SMTPServerDisconnected as exc:
        raise _ReplyLost(exc) from exc
    if code == 250:
        smtp.sock.settimeout(settings.timeout)
        return refused
    if 400 <= code < 600:
        raise smtplib.SMTPDataError(code, reply)
    raise _ReplyLost(smtplib.SMTPResponseException(code, reply))  # not an SMTP reply


def _flatten(smtp: smtplib.SMTP, msg: EmailMessage, addresses: list[str]):
    """The message's bytes and the MAIL options, as `SMTP.send_message` makes them."""
    policy, options = msg.policy, []
    try:
        "".join(addresses).encode("ascii")
    except UnicodeEncodeError:
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError(
                "non-ASCII addresses need SMTPUTF8, which the server does not offer"
            ) from None
        policy, options = policy.clone(utf8=True), ["SMTPUTF8", "BODY=8BITMIME"]
    with io.BytesIO() as buffer:
        BytesGenerator(buffer, policy=policy).flatten(msg, linesep="\r\n")
        flat = buffer.getvalue()
    if smtp.does_esmtp and smtp.has_extn("size"):
        options.insert(0, f"size={len(flat)}")
    return flat, options


def _dot_stuffed(flat: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 §4.5.2), its final "." included."""
    data = re.sub(rb"(?m)^\.", b"..", flat)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


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
    """Classify an error. The whole message went and the reply was lost: unknown. A 4xx or
    5xx reply within the transaction: refused (5xx for good). Anything else — no
    connection, TLS, login, a line dropped or timed out before the message went whole —
    failed; TLS and protocol mismatches and a refused login are configuration problems."""
    if isinstance(exc, _ReplyLost):
        cause = exc.__cause__ or exc
        code = cause.smtp_code if isinstance(cause, smtplib.SMTPResponseException) else None
        return DeliveryFailure(key, region, to, _describe(cause), code, False, UNKNOWN)
    session = isinstance(exc, _Unreachable)
    cause = exc.__cause__ if session and exc.__cause__ else exc
    code = None
    if isinstance(cause, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in cause.recipients.values()]
        code = min(codes) if codes else None  # held only when every address is refused for good
    elif isinstance(cause, smtplib.SMTPResponseException):
        code = cause.smtp_code
    if not session and code is not None and 400 <= code < 600:
        return DeliveryFailure(key, region, to, _describe(cause), code, code >= 500, REFUSED)
    permanent = _is_permanent_code(code) or isinstance(
        cause, ssl.SSLError | smtplib.SMTPNotSupportedError
    )
    return DeliveryFailure(key, region, to, _describe(cause), code, permanent, FAILED)


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    context = exc.__context__
    if isinstance(context, OSError) and str(context) and str(context) not in text:
        text += f" ({type(context).__name__}: {context})"  # what smtplib's own error hides
    return text


# --------------------------------------------------------------------------- operator


def status_text(log_path: Path, show_all: bool = False) -> str:
    """`xmk mail status`: each report's state in the send log, held ones first, with what
    the operator can do about them."""
    log = SendLog(log_path)
    if not log.path.exists():
        return f"send log {log_path}: nothing mailed yet"
    states = log.states()
    held = [e for e in states.values() if is_held(e)]
    due = [e for e in states.values() if e["status"] != SENT and not is_held(e)]
    sent = [e for e in states.values() if e["status"] == SENT]
    lines = [f"send log {log_path}: {len(sent)} sent, {len(held)} held, {len(due)} to retry"]
    if held:
        lines += [
            "held — not sent again until released:",
            "  (unknown: it went to the server and its reply was lost, so it may have",
            "  arrived — ask the county, or look its Message-ID up in the mail server's log;",
            "  refused 5xx: correct the address or the server's settings first. Then",
            f"  `{command_name()} mail release KEY`, and the next `{command_name()} run` "
            "sends it.)",
            *_entry_lines(held),
        ]
    if due:
        lines += ["tried again by the next run:", *_entry_lines(due)]
    if show_all and sent:
        lines += ["sent (accepted by the server, never sent again):", *_entry_lines(sent)]
    return "\n".join(lines)


def _entry_lines(entries: list[dict]) -> list[str]:
    lines = []
    for e in sorted(entries, key=lambda e: (e.get("at", ""), e["key"])):
        to = ", ".join(e.get("to") or [])
        lines.append(
            f"  {_state_text(e):<12} {e['key']}  {e.get('region_code', '')} → {to}  "
            f"since {e.get('at', '?')}"
        )
        detail = [f"Message-ID {e.get('message_id') or message_id(e['key'])}"]
        if e.get("error"):
            detail.append(e["error"])
        lines.append("      " + ": ".join(detail))
    return lines
