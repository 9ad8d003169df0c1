"""Delivering the messages: by SMTP (smtp.py) when settings are given, otherwise as `.eml`
files in the outbox; each attempt goes to the send log, and a run's outcome is a
DeliveryReport."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from dagster_project.publish.mail.message import KEY_HEADER, REGION_HEADER, SmtpSettings
from dagster_project.publish.mail.send_log import (
    FAILED,
    REFUSED,
    SENDING,
    SENT,
    UNKNOWN,
    SendLog,
    _is_permanent_code,
    _state_text,
    is_held,
)
from dagster_project.publish.mail.smtp import _close, _open, _ReplyLost, _transmit, _Unreachable
from dagster_project.publish.render.files import write_atomically
from dagster_project.settings import command_name


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
    what: str = "county reports"  # what the messages carry, for the lines the operator reads

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
            f"{self.what}: {n['sent']} sent, {n['refused']} refused, {n['failed']} failed, "
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
            f"mail NOT delivered: {len(self.undelivered)} of {tried} {self.what} "
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
            f"mail held: {len(self.held)} {self.what} not sent again until released — "
            f"{who}. `{command_name()} mail status`, then `{command_name()} mail release KEY` "
            "to send one again."
        )


def _what(f: DeliveryFailure) -> str:
    if f.status == UNKNOWN:
        return "sent, reply unknown, held"
    if f.status == REFUSED:
        return f"refused {f.code}, {'held' if f.held else 'will retry'}"
    return "failed, will retry"


def deliver(
    messages: Iterable[EmailMessage],
    settings_or_none: SmtpSettings | None,
    outbox_dir: Path,
    send_log_path: Path,
    what: str = "county reports",
    address_column: str = "contact_email",
) -> DeliveryReport:
    """Send each message not sent before and not held, or write it to the outbox without
    SMTP settings. One message's refusal does not stop the others; when the server cannot
    be reached, or took a message and lost its reply, the remaining messages are left for
    the next run (failed, not tried) rather than tried one by one."""
    log = SendLog(send_log_path)
    states = log.states()
    report = DeliveryReport(what=what)
    pending = []
    seen: set[str] = set()
    for msg in messages:
        key = msg[KEY_HEADER]
        if key is None:
            raise ValueError("message without a report key; build it with build_message")
        entry = states.get(key)
        if not msg["To"]:
            report.warnings.append(
                f"{msg[REGION_HEADER]} 未登记联系邮箱（{address_column}），未发送：{msg['Subject']}"
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
