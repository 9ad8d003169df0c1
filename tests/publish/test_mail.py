"""Delivering reports against a real SMTP server on loopback (aiosmtpd): success, STARTTLS
with login, no second send on a retry, the outbox without SMTP, the warning for a region
without a contact address; and servers that misbehave on purpose — 4xx and 5xx answers, a
reply later than the timeout, a line dropped before or right after the message, every
RCPT refused, nobody listening — with what each leaves in the send log, what the next run
does about it, the operator's release, and what `xmk run` says."""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import duckdb
import pytest
from aiosmtpd.controller import Controller

from dagster_project.cli import main as cli_main
from dagster_project.publish.county_report.run import write_county_report
from dagster_project.publish.mail import (
    DEFAULT_SENDER,
    KEY_HEADER,
    SendLog,
    SmtpSettings,
    build_message,
    deliver,
    release,
    report_key,
)
from tests.publish.conftest import (
    FOOD_ZONE,
    JIAOHE,
    OCTOBER,
    YONGJI,
    Mailbox,
    county_workbook,
    failure,
    free_loopback_port,
)

SENDER = "项目库 <xmk@fgw.example>"


def _settings(port: int, **kw) -> SmtpSettings:
    kw.setdefault("timeout", 5.0)
    kw.setdefault("data_timeout", kw["timeout"])
    return SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, **kw)


@dataclass
class Misbehaving(Mailbox):
    """A server that keeps a message and answers it late (for the `late` recipients,
    after `delay`) or hangs up instead (`drop_after_message`), hangs up at RCPT
    (`drop_at_rcpt`), or answers every RCPT with `rcpt_reply`."""

    late: set = field(default_factory=set)
    drop_after_message: bool = False
    drop_at_rcpt: bool = False
    rcpt_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.drop_at_rcpt:
            server.transport.abort()
            return "250 OK"  # never read: the line is gone
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not (self.drop_after_message or self.late & set(envelope.rcpt_tos)):
            return await super().handle_DATA(server, session, envelope)
        self.envelopes.append(envelope)  # the message is in: it will be delivered
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self.drop_after_message:
            server.transport.abort()
        else:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server_with():
    """smtp_server_with(handler, port=None) -> (handler, port): a real SMTP server on
    127.0.0.1 answering as the handler says, stopped after the test."""
    started = []

    def start(handler, port: int | None = None, **options):
        port = port or free_loopback_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return handler, controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def reports(raw, out):
    """Reports of 蛟河市 (one error), 永吉县 (clean) and 食品区 (no contact address)."""
    written = {}
    for region in (JIAOHE, YONGJI, FOOD_ZONE):
        source = county_workbook(raw, region).relative_to(raw).as_posix()
        failures = [failure(region, source, 5, "D")] if region is JIAOHE else []
        written[region["region_code"]] = (
            region,
            write_county_report(out, region, OCTOBER, failures, raw),
        )
    return written


@pytest.fixture
def messages(reports):
    return [build_message(region, OCTOBER, files, SENDER) for region, files in reports.values()]


@pytest.fixture
def paths(tmp_path):
    return tmp_path / "out" / "outbox", tmp_path / "out" / "outbox" / "send_log.jsonl"


def _log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _states(path) -> dict[str, str]:
    """region -> its report's state in the send log."""
    return {e["region_code"]: e["status"] for e in SendLog(path).states().values()}


# --------------------------------------------------------------------------- settings


def test_no_smtp_host_means_no_settings():
    assert SmtpSettings.from_env({}) is None
    assert SmtpSettings.from_env({"XMK_SMTP_HOST": " ", "XMK_SMTP_PORT": "2525"}) is None


def test_settings_defaults_follow_starttls():
    plain = SmtpSettings.from_env({"XMK_SMTP_HOST": "mail.example"})
    assert (plain.port, plain.starttls, plain.user, plain.timeout) == (25, False, None, 30.0)
    tls = SmtpSettings.from_env(
        {
            "XMK_SMTP_HOST": "mail.example",
            "XMK_SMTP_STARTTLS": "True",
            "XMK_SMTP_USER": "xmzx@fgw.example",
            "XMK_SMTP_PASSWORD": "s3cret",
        }
    )
    assert (tls.port, tls.starttls, tls.sender) == (587, True, "xmzx@fgw.example")
    assert "s3cret" not in repr(tls)
    own = SmtpSettings.from_env(
        {"XMK_SMTP_HOST": "h", "XMK_SMTP_PORT": "2525", "XMK_SMTP_FROM": "a@b.example"}
    )
    assert (own.port, own.sender) == (2525, "a@b.example")


@pytest.mark.parametrize(
    ("name", "value"), [("XMK_SMTP_PORT", "smtp"), ("XMK_SMTP_STARTTLS", "maybe")]
)
def test_bad_settings_are_refused(name, value):
    with pytest.raises(ValueError, match=name):
        SmtpSettings.from_env({"XMK_SMTP_HOST": "h", name: value})


# --------------------------------------------------------------------------- message


def test_message_has_chinese_subject_body_and_attachments(reports):
    region, files = reports["220281"]
    msg = build_message(region, OCTOBER, files, SENDER)
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == "【项目库】蛟河市2026年10月数据质量报告：1项错误"
    assert parsed["To"] == "xmzx@jiaohe.example"
    assert parsed[KEY_HEADER] == report_key("220281", OCTOBER, files.content_sha256)
    body = parsed.get_body(("plain",)).get_content()
    assert "结论：存在1项错误，须修改后重新报送。" in body and "错误 1 项，警告 0 项" in body
    assert "请于2026年11月5日前修改后重新报送" in body
    assert "更正文件命名：220281_蛟河市_2026年10月_更正.xlsx" in body
    assert "联系人：市发改委项目中心 李明 0432-62012345 xmzx@jlsfgw.example.gov.cn" in body
    attached = {p.get_filename(): p for p in parsed.iter_attachments()}
    assert list(attached) == [
        "数据质量报告_蛟河市_2026年10月.xlsx",
        "220281_蛟河市_标注.xlsx",
        "数据质量报告_蛟河市_2026年10月.html",
    ]
    assert attached["220281_蛟河市_标注.xlsx"].get_content() == files.annotated[0].read_bytes()
    html = attached["数据质量报告_蛟河市_2026年10月.html"]
    assert html.get_content_type() == "text/html" and "蛟河市" in html.get_content()


def test_a_clean_report_says_so_in_the_subject(reports):
    region, files = reports["220221"]
    msg = build_message(region, OCTOBER, files, DEFAULT_SENDER)
    assert msg["Subject"] == "【项目库】永吉县2026年10月数据质量报告：无错误"
    assert [p.get_filename() for p in msg.iter_attachments()] == [
        "数据质量报告_永吉县_2026年10月.xlsx",
        "数据质量报告_永吉县_2026年10月.html",
    ]


def test_a_report_cannot_be_addressed_to_another_region(reports):
    _region, files = reports["220281"]
    with pytest.raises(ValueError, match="220221"):
        build_message(YONGJI, OCTOBER, files, SENDER)


# --------------------------------------------------------------------------- SMTP


def test_reports_arrive_with_attachments_and_are_logged(smtp_server, messages, paths):
    box, port = smtp_server()
    outbox, log_path = paths
    result = deliver(messages, _settings(port), outbox, log_path)

    assert len(result.sent) == 2 and result.ok
    assert result.warnings == [
        "220273 未登记联系邮箱（contact_email），未发送："
        "【项目库】吉林中国新加坡食品区2026年10月数据质量报告：无错误"
    ]
    by_to = {m["To"]: m for m in box.messages}
    assert set(by_to) == {"xmzx@jiaohe.example", "xmzx@yongji.example"}
    jiaohe = by_to["xmzx@jiaohe.example"]
    assert jiaohe["Subject"] == "【项目库】蛟河市2026年10月数据质量报告：1项错误"
    assert [p.get_filename() for p in jiaohe.iter_attachments()] == [
        "数据质量报告_蛟河市_2026年10月.xlsx",
        "220281_蛟河市_标注.xlsx",
        "数据质量报告_蛟河市_2026年10月.html",
    ]
    assert [e.mail_from for e in box.envelopes] == ["xmk@fgw.example"] * 2
    assert [(e["status"], e["region_code"]) for e in _log(log_path)] == [
        ("sending", "220281"),
        ("sent", "220281"),
        ("sending", "220221"),
        ("sent", "220221"),
    ]
    assert {e["message_id"] for e in _log(log_path)} == {m["Message-ID"] for m in box.messages}
    assert not list(outbox.glob("*.eml"))


def test_a_line_that_starts_with_a_dot_arrives_as_written(smtp_server, reports, paths):
    box, port = smtp_server()
    region, files = reports["220221"]
    msg = build_message(region, OCTOBER, files, SENDER)
    text = "first\n.\n..two dots\n.last\n"
    msg.get_body(("plain",)).set_content(text, cte="7bit")  # as written on the wire
    assert deliver([msg], _settings(port), *paths).ok
    received = box.messages[0].get_body(("plain",)).get_content()
    assert received.replace("\r\n", "\n") == text


def test_a_retried_run_sends_nothing_twice(smtp_server, messages, paths):
    box, port = smtp_server()
    first = deliver(messages, _settings(port), *paths)
    second = deliver(messages, _settings(port), *paths)
    assert len(box.messages) == 2
    assert (second.sent, sorted(second.already_sent)) == ([], sorted(first.sent))


def test_the_same_report_keeps_its_message_id_and_a_changed_one_gets_a_new_one(
    smtp_server, reports, raw, out, paths
):
    box, port = smtp_server()
    region, files = reports["220221"]
    first = build_message(region, OCTOBER, files, SENDER)
    assert build_message(region, OCTOBER, files, SENDER)["Message-ID"] == first["Message-ID"]
    assert first["Message-ID"] == f"<{first[KEY_HEADER]}@xmk.local>"
    deliver([first], _settings(port), *paths)
    source = "2026-10/220221_永吉县.xlsx"
    fixed = write_county_report(out, region, OCTOBER, [failure(region, source, 6, "D")], raw)
    changed = build_message(region, OCTOBER, fixed, SENDER)
    result = deliver([changed], _settings(port), *paths)
    assert len(result.sent) == 1 and len(box.messages) == 2
    assert changed["Message-ID"] != first["Message-ID"]


# ------------------------------------------------- what became of a message, and its retry


def test_a_5xx_answer_to_the_message_is_refused_for_good_and_held(smtp_server, messages, paths):
    box, port = smtp_server()
    box.data_reply = "550 mailbox unavailable"
    result = deliver(messages, _settings(port), *paths)
    assert result.sent == [] and len(result.refused) == 2  # both were tried
    assert {(f.code, f.permanent, f.held) for f in result.refused} == {(550, True, True)}
    assert "mailbox unavailable" in result.refused[0].error
    assert _states(paths[1]) == {"220281": "refused", "220221": "refused"}

    box.data_reply = None  # the server would take them now, but 550 was its last word
    again = deliver(messages, _settings(port), *paths)
    assert again.sent == [] and box.messages == [] and again.ok
    assert [h.state for h in again.held] == ["refused 550", "refused 550"]
    assert "2 held (not retried)" in again.summary()


def test_a_4xx_answer_is_refused_for_now_and_sent_by_the_next_run(smtp_server, messages, paths):
    box, port = smtp_server()
    box.data_reply = "451 4.3.0 try again later"
    result = deliver(messages, _settings(port), *paths)
    assert {(f.status, f.code, f.held) for f in result.undelivered} == {("refused", 451, False)}
    assert "451, will retry" in result.summary()

    box.data_reply = None
    again = deliver(messages, _settings(port), *paths)
    assert len(again.sent) == 2 and len(box.messages) == 2


def test_a_reply_later_than_the_timeout_is_unknown_and_never_sent_again(
    smtp_server_with, messages, paths
):
    box, port = smtp_server_with(Misbehaving(late={"xmzx@jiaohe.example"}, delay=1.5))
    result = deliver(messages, _settings(port, timeout=0.5), *paths)
    [unknown] = result.unknown
    assert unknown.to == ("xmzx@jiaohe.example",) and unknown.held
    assert "timed out" in unknown.error
    # The server kept the message and did not answer: the others wait for the next run.
    [not_tried] = result.failed
    assert not_tried.region_code == "220221" and not_tried.error.startswith("未尝试：")
    assert "1 unknown" in result.summary() and "reply unknown" in result.summary()
    assert _states(paths[1]) == {"220281": "unknown", "220221": "failed"}

    again = deliver(messages, _settings(port, timeout=0.5), *paths)
    assert again.ok and len(again.sent) == 1
    assert [(h.region_code, h.state) for h in again.held] == [("220281", "unknown")]
    assert sorted(m["To"] for m in box.messages) == ["xmzx@jiaohe.example", "xmzx@yongji.example"]


def test_a_line_dropped_right_after_the_message_is_unknown_and_never_sent_again(
    smtp_server_with, messages, paths
):
    box, port = smtp_server_with(Misbehaving(drop_after_message=True))
    result = deliver(messages, _settings(port), *paths)
    assert [(f.region_code, f.status) for f in result.undelivered] == [
        ("220281", "unknown"),
        ("220221", "failed"),
    ]
    assert "SMTPServerDisconnected" in result.unknown[0].error

    box.drop_after_message = False
    again = deliver(messages, _settings(port), *paths)
    assert [h.region_code for h in again.held] == ["220281"] and len(again.sent) == 1
    assert [m["To"] for m in box.messages] == ["xmzx@jiaohe.example", "xmzx@yongji.example"]


def test_a_line_dropped_before_the_message_went_is_failed_and_sent_by_the_next_run(
    smtp_server_with, messages, paths
):
    box, port = smtp_server_with(Misbehaving(drop_at_rcpt=True))
    result = deliver(messages, _settings(port), *paths)
    assert [f.status for f in result.undelivered] == ["failed", "failed"]  # each was tried
    assert not any(f.held for f in result.undelivered) and box.messages == []

    box.drop_at_rcpt = False
    again = deliver(messages, _settings(port), *paths)
    assert len(again.sent) == 2 and len(box.messages) == 2


def test_every_recipient_refused_550_is_held_and_said_so(
    smtp_server_with, messages, paths, tmp_path, capsys
):
    box, port = smtp_server_with(Misbehaving(rcpt_reply="550 5.1.1 no such user"))
    result = deliver(messages, _settings(port), *paths)
    assert result.sent == [] and not result.ok
    assert [(f.status, f.code, f.held) for f in result.undelivered] == [("refused", 550, True)] * 2
    assert result.summary().startswith(
        "county reports: 0 sent, 2 refused, 0 failed, 0 unknown, 0 held (not retried), "
        "0 sent before, 0 in outbox"
    )
    assert result.problem_line({"220281": "蛟河市", "220221": "永吉县"}) == (
        "mail NOT delivered: 2 of 2 county reports (2 refused, 0 failed, 0 unknown) — "
        "refused 550, held: 蛟河市、永吉县. `xmk mail status` lists them."
    )
    again = deliver(messages, _settings(port), *paths)
    assert again.ok and again.sent == [] and len(again.held) == 2 and box.messages == []

    box.rcpt_reply = None  # the relay fixed, the operator lets them all go again
    assert cli_main(["mail", "release", "--all-held", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.count("released ") == 2
    assert len(deliver(messages, _settings(port), *paths).sent) == 2 and len(box.messages) == 2


def test_a_report_refused_for_good_goes_again_once_its_address_is_corrected(
    smtp_server_with, reports, paths
):
    box, port = smtp_server_with(Misbehaving(rcpt_reply="550 5.1.1 no such user"))
    region, files = reports["220221"]
    deliver([build_message(region, OCTOBER, files, SENDER)], _settings(port), *paths)
    box.rcpt_reply = None
    corrected = {**region, "contact_email": "tjk@yongji.example"}
    result = deliver([build_message(corrected, OCTOBER, files, SENDER)], _settings(port), *paths)
    assert len(result.sent) == 1 and [m["To"] for m in box.messages] == ["tjk@yongji.example"]


def test_a_server_not_listening_fails_every_message_and_the_next_run_sends_them(
    smtp_server_with, messages, paths
):
    port = free_loopback_port()
    result = deliver(messages, _settings(port), *paths)
    assert [f.status for f in result.undelivered] == ["failed", "failed"]
    assert not any(f.permanent or f.held for f in result.undelivered)
    assert "ConnectionRefusedError" in result.failed[0].error
    assert result.failed[1].error.startswith("未尝试：")
    assert _states(paths[1]) == {"220281": "failed", "220221": "failed"}

    box, _port = smtp_server_with(Misbehaving(), port=port)  # the server is back
    again = deliver(messages, _settings(port), *paths)
    assert again.ok and len(again.sent) == 2 and len(box.messages) == 2


def test_a_run_that_stopped_while_handing_a_message_over_leaves_it_unknown(
    smtp_server, messages, paths
):
    box, port = smtp_server()
    key = messages[0][KEY_HEADER]
    SendLog(paths[1]).record(key, "220281", ["xmzx@jiaohe.example"], "sending")
    result = deliver(messages, _settings(port), *paths)
    assert [(h.key, h.state) for h in result.held] == [
        (key, "unknown: the run stopped while handing it over")
    ]
    assert [m["To"] for m in box.messages] == ["xmzx@yongji.example"]


def test_login_is_used_when_a_user_is_set(smtp_server, messages, paths):
    box, port = smtp_server(with_login=True, auth_require_tls=False)
    result = deliver(messages, _settings(port, user="xmk", password="秘密-pw"), *paths)
    assert len(result.sent) == 2
    assert box.logins == [("xmk", "秘密-pw")]  # one session for both messages


def test_a_refused_login_is_reported_for_every_message(smtp_server, messages, paths):
    box, port = smtp_server(with_login=True, auth_require_tls=False)
    result = deliver(messages, _settings(port, user="xmk", password="wrong"), *paths)
    assert result.sent == [] and box.messages == []
    assert [(f.code, f.permanent) for f in result.failed] == [(535, True), (None, True)]


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with the openssl command (the
    cryptography package is not installed here)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_starttls_with_login(smtp_server, messages, paths, certificate):
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    box, port = smtp_server(
        with_login=True, tls_context=server_tls, require_starttls=True, auth_require_tls=True
    )
    trust = ssl.create_default_context(cafile=str(cert))
    settings = _settings(port, user="xmk", password="秘密-pw", starttls=True, tls_context=trust)
    result = deliver(messages, settings, *paths)
    assert len(result.sent) == 2
    assert box.tls_sessions == [True, True] and box.logins == [("xmk", "秘密-pw")]


def test_starttls_with_an_untrusted_certificate_is_a_configuration_failure(
    smtp_server, messages, paths, certificate
):
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    box, port = smtp_server(tls_context=server_tls, require_starttls=True)
    result = deliver(messages, _settings(port, starttls=True), *paths)  # system CAs only
    assert result.sent == [] and box.messages == []
    assert all(f.permanent for f in result.failed)
    assert "SSLCertVerificationError" in result.failed[0].error


# --------------------------------------------------------------------------- outbox


def test_without_smtp_the_messages_go_to_the_outbox(messages, paths):
    outbox, log_path = paths
    result = deliver(messages, None, outbox, log_path)
    assert len(result.written) == 2 and result.sent == []
    assert sorted(p.name for p in outbox.glob("*.eml")) == sorted(
        f"{m[KEY_HEADER]}.eml" for m in messages if m["To"]
    )
    eml = next(p for p in result.written if p.name.startswith("220281_2026-10_"))
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "【项目库】蛟河市2026年10月数据质量报告：1项错误"
    assert len(list(parsed.iter_attachments())) == 3
    assert not log_path.exists()  # nothing was sent

    mtime = eml.stat().st_mtime_ns
    again = deliver(messages, None, outbox, log_path)
    assert sorted(again.written) == sorted(result.written) and eml.stat().st_mtime_ns == mtime
    assert len(again.warnings) == 1  # 食品区 has no contact address either way


def test_a_send_log_line_cut_off_by_a_crash_is_ignored(smtp_server, messages, paths):
    box, port = smtp_server()
    deliver(messages[:1], _settings(port), *paths)
    with paths[1].open("a", encoding="utf-8") as fh:
        fh.write('{"key": "220221_2026-10_')
    result = deliver(messages, _settings(port), *paths)
    assert len(result.already_sent) == 1 and len(result.sent) == 1
    assert len(box.messages) == 2


# --------------------------------------------------------------------------- the operator


def test_the_operator_releases_an_unknown_report_and_it_goes_once_more(
    smtp_server_with, messages, paths, tmp_path, capsys
):
    box, port = smtp_server_with(Misbehaving(late={"xmzx@jiaohe.example"}, delay=1.0))
    settings = _settings(port, timeout=0.5)
    deliver(messages, settings, *paths)
    box.late = set()
    key = messages[0][KEY_HEADER]
    assert [h.key for h in deliver(messages, settings, *paths).held] == [key]
    assert len(box.messages) == 2  # 蛟河市 once (its reply lost), 永吉县 on the retry

    out = str(tmp_path / "out")
    assert cli_main(["mail", "status", "--out", out]) == 0
    status = capsys.readouterr().out
    assert "1 held" in status and f"unknown      {key}  220281 → xmzx@jiaohe.example" in status
    assert f"Message-ID <{key}@xmk.local>" in status

    assert cli_main(["mail", "release", "--all-unknown", "--out", out]) == 0
    assert f"released {key}: the next `xmk run` sends it" in capsys.readouterr().out
    third = deliver(messages, settings, *paths)
    assert third.sent == [key] and third.held == []
    jiaohe = [m for m in box.messages if m["To"] == "xmzx@jiaohe.example"]
    assert len(jiaohe) == 2 and jiaohe[0]["Message-ID"] == jiaohe[1]["Message-ID"]
    assert deliver(messages, settings, *paths).sent == []  # and then never again
    assert len(box.messages) == 3


def test_release_refuses_a_sent_report_a_retried_one_and_a_key_it_does_not_know(
    smtp_server, messages, paths, tmp_path, capsys
):
    box, port = smtp_server()
    box.data_reply = "451 4.3.0 try again later"
    deliver(messages[:1], _settings(port), *paths)
    box.data_reply = None
    deliver(messages[1:], _settings(port), *paths)
    refused, sent = messages[0][KEY_HEADER], messages[1][KEY_HEADER]
    result = release(paths[1], [refused, sent, "220000_2026-10_0"])
    assert result.released == []
    assert result.refused[refused] == "not held (refused 451): the next run tries it"
    assert result.refused[sent].startswith("accepted by the server (250)")
    assert result.refused["220000_2026-10_0"] == "not in the send log"
    out = str(tmp_path / "out")
    assert cli_main(["mail", "release", sent, "--out", out]) == 1
    assert cli_main(["mail", "release", "--out", out]) == 2
    assert "--all-unknown" in capsys.readouterr().err


# ------------------------------------------------------------------- the run's outcome


def test_every_mail_refused_makes_the_county_reports_say_so_and_xmk_run_exit_4(
    smtp_server_with, raw, out, tmp_path, monkeypatch, dbt_manifest
):
    """county_reports against a small warehouse and a server that refuses every RCPT: the
    asset still materialises, its mail check fails, and `xmk run` reads the line."""
    import dagster as dg

    from dagster_project.assets.publishing import MAIL_CHECK, county_reports
    from dagster_project.orchestration.run import exit_code, mail_lines
    from dagster_project.resources import XmkSettings

    _box, port = smtp_server_with(Misbehaving(rcpt_reply="550 5.1.1 no such user"))
    warehouse = tmp_path / "warehouse"
    _county_reports_warehouse(warehouse / "warehouse.duckdb", raw)
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "FROM": SENDER}.items():
        monkeypatch.setenv(f"XMK_SMTP_{name}", value)
    settings = XmkSettings(raw_dir=str(raw), warehouse_dir=str(warehouse), out_dir=str(out))
    result = dg.materialize([county_reports], resources={"settings": settings})

    assert result.success  # the other publications are not held up by mail
    [check] = result.get_asset_check_evaluations()
    assert (check.check_name, check.passed) == (MAIL_CHECK, False)
    assert check.severity == dg.AssetCheckSeverity.ERROR
    line = (
        "mail NOT delivered: 2 of 2 county reports (2 refused, 0 failed, 0 unknown) — "
        "refused 550, held: 永吉县、蛟河市. `xmk mail status` lists them."
    )
    assert mail_lines(result) == (line, None)
    assert exit_code(step_failed=False, mail_undelivered=True, gate_blocked=False) == 4

    again = dg.materialize([county_reports], resources={"settings": settings})
    problem, held = mail_lines(again)  # nothing tried: this run's mail did not fail
    assert problem is None and held.startswith("mail held: 2 county reports")
    assert again.get_asset_check_evaluations()[0].passed


def test_without_smtp_the_county_reports_change_nothing_in_the_outcome(
    raw, out, tmp_path, monkeypatch, dbt_manifest
):
    import dagster as dg

    from dagster_project.assets.publishing import county_reports
    from dagster_project.orchestration.run import mail_lines
    from dagster_project.resources import XmkSettings

    monkeypatch.delenv("XMK_SMTP_HOST", raising=False)
    warehouse = tmp_path / "warehouse"
    _county_reports_warehouse(warehouse / "warehouse.duckdb", raw)
    settings = XmkSettings(raw_dir=str(raw), warehouse_dir=str(warehouse), out_dir=str(out))
    result = dg.materialize([county_reports], resources={"settings": settings})
    assert result.success and mail_lines(result) == (None, None)
    assert result.get_asset_check_evaluations()[0].passed
    assert len(list((out / "outbox").glob("*.eml"))) == 2


@pytest.mark.parametrize(
    ("step_failed", "mail_undelivered", "gate_blocked", "code"),
    [
        (False, False, False, 0),
        (False, False, True, 3),
        (False, True, False, 4),
        (False, True, True, 4),  # the blocked month's counties need their reports
        (True, True, True, 1),
    ],
)
def test_xmk_run_exit_codes_step_failed_then_mail_then_gate(
    step_failed, mail_undelivered, gate_blocked, code
):
    from dagster_project.orchestration.run import exit_code

    assert exit_code(step_failed, mail_undelivered, gate_blocked) == code


def _county_reports_warehouse(db, raw) -> None:
    """What county_reports reads: the regions, October's submissions of 蛟河市 and 永吉县,
    and no failure (both get their 无错误 report)."""
    db.parent.mkdir(parents=True)
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_region (region_code varchar, region_name varchar, "
            "contact_email varchar)"
        )
        for region in (JIAOHE, YONGJI):
            con.execute(
                "insert into marts.dim_region values (?, ?, ?)",
                [region["region_code"], region["region_name"], region["contact_email"]],
            )
            county_workbook(raw, region)
        con.execute(
            """create table marts.fct_received_files as
               select * from (values ('220281'), ('220221')) t(region_code),
                      (select date '2026-10-01' as report_month,
                              'county_monthly' as submission_kind, 'loaded' as status,
                              true as is_effective)"""
        )
        con.execute(
            """create table marts.fct_dq_failures (
                 period_month date, region_code varchar, source_file varchar, sheet varchar,
                 excel_row integer, column_letter varchar, field varchar, header varchar,
                 value varchar, rule varchar, severity varchar, hint varchar)"""
        )
    finally:
        con.close()
