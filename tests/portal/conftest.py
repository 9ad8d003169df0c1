"""A real portal for the tests: `xmk serve` started by its path in a minimal environment on
127.0.0.1, over 江源市 (a city that is not the demo's), with accounts made by
`xmk users add … --password-stdin`, a real SMTP server on loopback for the reminders, and
Debian's chromium driven by Playwright.

江源市's October, as the portal meets it: 青山县, 柳河县, the zone and the statistics bureau
have sent their files into raw/ by hand; 江北区 will upload through the portal; 白河县 sends
nothing and is late (its lists were due on 5 November)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.cities import unseen_city as city
from tests.conftest import cron_env

REPO = Path(__file__).resolve().parents[2]
XMK = REPO / ".venv" / "bin" / "xmk"
PASSWORDS = {
    "jiangbei": "jiangbei-pass-2026",
    "qingshan": "qingshan-pass-2026",
    "centre": "centre-pass-2026",
}
ACCOUNTS = {"jiangbei": city.JIANGBEI, "qingshan": city.QINGSHAN, "centre": None}
UPLOAD_CAP_MB = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        await asyncio.sleep(0)
        return "250 Message accepted for delivery"


@dataclass
class Site:
    root: Path
    url: str
    inbox: Inbox
    env: dict
    desk: Path  # the clerk's own folder, outside raw/
    facts: dict = field(default_factory=dict)  # what one test leaves for the next

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    def xmk(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(XMK), *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1200,
        )

    def client(self, login: str | None = None) -> tuple[httpx.Client, str | None]:
        """An API client, logged in as `login` when given, and its CSRF token."""
        client = httpx.Client(base_url=self.url, timeout=120)
        if login is None:
            return client, None
        r = client.post("/api/login", json={"username": login, "password": PASSWORDS[login]})
        assert r.status_code == 200, r.text
        return client, r.json()["csrf_token"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("portal")
    raw = root / "raw"
    city.september(raw)
    city.qingshan_october(raw)
    city.liuhe(raw, city.OCTOBER, "柳河县2026年10月报表.xls", city._received_on(city.OCTOBER, 4))
    city.zone(raw, city.OCTOBER)
    city.statistics(raw, city.OCTOBER, city.STATISTICS_OCTOBER)
    desk = root / "desk"
    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = cron_env(root) | {
        "XMK_SMTP_HOST": "127.0.0.1",
        "XMK_SMTP_PORT": str(smtp_port),
        "XMK_SMTP_FROM": "xmk@jiangyuan.example.gov.cn",
        "XMK_PORTAL_MAX_UPLOAD_MB": str(UPLOAD_CAP_MB),
    }
    port = free_port()
    s = Site(root, f"http://127.0.0.1:{port}", inbox, env, desk)
    for login, region in ACCOUNTS.items():
        who = ["--region", region] if region else ["--admin"]
        made = s.xmk("users", "add", login, *who, "--password-stdin", stdin=PASSWORDS[login] + "\n")
        assert made.returncode == 0, made.stderr
    with open(root / "serve.log", "w") as log:
        server = subprocess.Popen(
            [str(XMK), "serve", "--port", str(port)],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(s.url, server, root / "serve.log")
        yield s
    finally:
        server.terminate()
        server.wait(timeout=30)
        controller.stop()


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"xmk serve stopped: {log.read_text(encoding='utf-8')}")
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"xmk serve did not answer: {log.read_text(encoding='utf-8')}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (make test installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
