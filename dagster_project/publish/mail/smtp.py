"""One SMTP session: connecting (STARTTLS, login) and one mail transaction, command by
command, so that a lost reply after the whole message went is told apart from a message
that never reached the server."""

from __future__ import annotations

import base64
import io
import re
import smtplib
import ssl
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses

from dagster_project.publish.mail.message import SmtpSettings


class _Unreachable(Exception):
    """The server could not be reached or refused the session (connect, STARTTLS,
    login): every later message would fail the same way."""


class _ReplyLost(Exception):
    """The whole message went to the server; its reply did not come back."""


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
