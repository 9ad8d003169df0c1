"""Fixtures for the county reports and their delivery: real county workbooks in a raw
folder, reports written from real failures, and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from dagster_project.publish.county_report.run import write_county_report
from dagster_project.quality.failures import Failure
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

OCTOBER = date(2026, 10, 1)
JIAOHE = {"region_code": "220281", "region_name": "蛟河市", "contact_email": "xmzx@jiaohe.example"}
YONGJI = {"region_code": "220221", "region_name": "永吉县", "contact_email": "xmzx@yongji.example"}
FOOD_ZONE = {"region_code": "220273", "region_name": "吉林中国新加坡食品区", "contact_email": ""}
SHEET = "在建项目"
FIRST_DATA_ROW = 5  # after 附件1, the title, 填报单位 and the header row


def county_workbook(raw: Path, region: dict, projects: int = 4, folder: str = "2026-10") -> Path:
    """A county's 在建项目 sheet in the official layout, one project per row from row 5."""
    rows = [*title_rows(SHEET, region["region_name"]), TEMPLATE_UNDER_CONSTRUCTION]
    for i in range(1, projects + 1):
        rows.append(
            [i, None, f"{region['region_name']}项目{i}", f"{region['region_name']}建设公司",
             "某镇", 8000, 2000, 500, "2024.3", "2024.4", "某局", "张三", "13912345678"]
        )  # fmt: skip
    name = f"{region['region_code']}_{region['region_name']}.xlsx"
    return write_xlsx(raw / folder / name, {SHEET: rows})


def failure(region: dict, source_file: str, row: int | None, column: str | None, **kw) -> Failure:
    values = {
        "period_month": OCTOBER,
        "region_code": region["region_code"],
        "source_file": source_file,
        "sheet": SHEET if row is not None else None,
        "excel_row": row,
        "column_letter": column,
        "field": "project_owner",
        "header": "项目法人",
        "value": None,
        "rule": "required_project_owner",
        "severity": "error",
        "hint": "请填写项目法人单位全称",
    }
    values.update(kw)
    return Failure(**values)


@pytest.fixture
def raw(tmp_path) -> Path:
    return tmp_path / "raw"


@pytest.fixture
def out(tmp_path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def jiaohe_report(raw, out):
    """蛟河市's October report: two errors and a warning in its workbook."""
    path = county_workbook(raw, JIAOHE)
    source = path.relative_to(raw).as_posix()
    failures = [
        failure(JIAOHE, source, 5, "D"),
        failure(JIAOHE, source, 6, "L", field="responsible_person", header="责任人",
                rule="required_responsible_person", hint="请填写包保领导"),
        failure(JIAOHE, source, 7, "M", field="contact_phone", header="联系电话",
                value="1391234", rule="contact_phone_format", severity="warn",
                hint="请填写11位手机号"),
    ]  # fmt: skip
    return write_county_report(out, JIAOHE, OCTOBER, failures, raw)


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and answers as a test tells it."""

    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    data_reply: str | None = None  # e.g. "550 mailbox unavailable" instead of accepting
    slow_recipients: set = field(default_factory=set)  # DATA for these sleeps...
    delay: float = 2.0  # ...this long, then refuses
    logins: list = field(default_factory=list)
    tls_sessions: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        if self.slow_recipients & set(envelope.rcpt_tos):
            await asyncio.sleep(self.delay)
            return "451 4.4.2 too late"  # the client has given up; keep nothing
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        self.tls_sessions.append(session.ssl is not None)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        user, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((user, password))
        # handled=False: the server itself answers 235 or 535.
        return AuthResult(success=(user, password) == ("xmk", "秘密-pw"), handled=False)


@pytest.fixture
def smtp_server():
    """Start a real SMTP server on 127.0.0.1: smtp_server(**aiosmtpd options) -> (mailbox,
    port). Stopped after the test."""
    started = []

    def start(**options) -> tuple[Mailbox, int]:
        box = Mailbox()
        if options.pop("with_login", False):
            options["authenticator"] = box.authenticate
        controller = Controller(box, hostname="127.0.0.1", port=free_loopback_port(), **options)
        controller.start()
        started.append(controller)
        return box, controller.port

    yield start
    for controller in started:
        controller.stop()
