"""Delivering reports against a real SMTP server on loopback (aiosmtpd): success, 4xx, 5xx,
a timeout, STARTTLS with login, no second send on a retry, the outbox without SMTP, and
the warning for a region without a contact address."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest

from dagster_project.publish.county_reports import write_county_report
from dagster_project.publish.mail import (
    DEFAULT_SENDER,
    KEY_HEADER,
    SmtpSettings,
    build_message,
    deliver,
    report_key,
)
from tests.publish.conftest import (
    FOOD_ZONE,
    JIAOHE,
    OCTOBER,
    YONGJI,
    county_workbook,
    failure,
    free_loopback_port,
)

SENDER = "项目库 <xmk@fgw.example>"


def _settings(port: int, **kw) -> SmtpSettings:
    kw.setdefault("timeout", 5.0)
    return SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, **kw)


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
        ("sent", "220281"),
        ("sent", "220221"),
    ]
    assert not list(outbox.glob("*.eml"))


def test_a_retried_run_sends_nothing_twice(smtp_server, messages, paths):
    box, port = smtp_server()
    first = deliver(messages, _settings(port), *paths)
    second = deliver(messages, _settings(port), *paths)
    assert len(box.messages) == 2
    assert (second.sent, sorted(second.already_sent)) == ([], sorted(first.sent))


def test_a_changed_report_is_sent_again(smtp_server, reports, raw, out, paths):
    box, port = smtp_server()
    region, files = reports["220221"]
    deliver([build_message(region, OCTOBER, files, SENDER)], _settings(port), *paths)
    source = "2026-10/220221_永吉县.xlsx"
    fixed = write_county_report(out, region, OCTOBER, [failure(region, source, 6, "D")], raw)
    result = deliver([build_message(region, OCTOBER, fixed, SENDER)], _settings(port), *paths)
    assert len(result.sent) == 1 and len(box.messages) == 2


def test_a_5xx_answer_is_a_permanent_failure_that_does_not_stop_the_others(
    smtp_server, messages, paths
):
    box, port = smtp_server()
    box.data_reply = "550 mailbox unavailable"
    result = deliver(messages, _settings(port), *paths)
    assert result.sent == [] and len(result.failed) == 2  # both were tried
    assert {(f.code, f.permanent) for f in result.failed} == {(550, True)}
    assert "mailbox unavailable" in result.failed[0].error
    assert [e["status"] for e in _log(paths[1])] == ["failed", "failed"]

    box.data_reply = None  # the next run tries again
    again = deliver(messages, _settings(port), *paths)
    assert len(again.sent) == 2 and len(box.messages) == 2


def test_a_4xx_answer_is_a_transient_failure(smtp_server, messages, paths):
    box, port = smtp_server()
    box.data_reply = "451 4.3.0 try again later"
    result = deliver(messages, _settings(port), *paths)
    assert {(f.code, f.permanent) for f in result.failed} == {(451, False)}
    assert "will retry" in result.summary()


def test_a_timeout_fails_that_message_and_the_next_one_is_sent(smtp_server, messages, paths):
    box, port = smtp_server()
    box.slow_recipients = {"xmzx@jiaohe.example"}
    box.delay = 1.5
    result = deliver(messages, _settings(port, timeout=0.5), *paths)
    [timed_out] = result.failed
    assert timed_out.to == ("xmzx@jiaohe.example",) and not timed_out.permanent
    assert timed_out.code is None and "timed out" in timed_out.error
    assert len(result.sent) == 1
    assert [m["To"] for m in box.messages] == ["xmzx@yongji.example"]


def test_an_unreachable_server_fails_every_message_for_a_later_retry(messages, paths):
    result = deliver(messages, _settings(free_loopback_port()), *paths)
    assert len(result.failed) == 2 and not any(f.permanent for f in result.failed)
    assert "ConnectionRefusedError" in result.failed[0].error
    assert result.failed[1].error.startswith("未尝试：")
    assert [e["status"] for e in _log(paths[1])] == ["failed", "failed"]


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
