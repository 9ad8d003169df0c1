"""The county portal end to end (SPEC §9), in the order a month goes: a county logs in,
uploads a workbook with planted defects, sees them with their rows, uploads the fix and
confirms; the file lands in raw/ with its receipt; a nightly run loads it with the
receipt's time; the county sees its report; another county sees none of it; the centre
sees who is late and reminds them once. Each test leaves its facts in `site.facts` for
the next (they run in file order)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from datetime import datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from dagster_project.ingest.receipts import RECEIPT_SUFFIX, read_receipt
from tests.cities import unseen_city as city
from tests.portal.conftest import PASSWORDS, UPLOAD_CAP_MB

PROJECT_4 = "江北区滨江项目4"


def _excel_row_of(path: Path, sheet_word: str, text: str) -> int:
    """The Excel row of the first cell holding `text` on the sheet whose name has
    `sheet_word`: read from the workbook, as the clerk would find it."""
    wb = load_workbook(path, read_only=True)
    ws = next(wb[n] for n in wb.sheetnames if sheet_word in n)
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row
    raise AssertionError(f"{text} not on {sheet_word} of {path}")


def _log_in(page, site, login: str) -> None:
    page.goto(site.url + "/login")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", PASSWORDS[login])
    page.click("button[type=submit]")


def _upload(page, site, path: Path, period: str) -> None:
    page.goto(site.url + "/submit")
    page.select_option("select[name=period]", period)
    page.set_input_files("input[name=file]", str(path))
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("#errors, .alert.error")


def _failure_rows(page) -> list[dict]:
    headers = [h.inner_text() for h in page.query_selector_all("#failures thead th")]
    return [
        dict(zip(headers, [td.inner_text() for td in tr.query_selector_all("td")], strict=True))
        for tr in page.query_selector_all("#failures tbody tr")
    ]


def test_accounts_are_made_from_the_command_line_and_kept_only_as_argon2_hashes(site):
    listed = site.xmk("users", "list")
    assert listed.returncode == 0, listed.stderr
    assert "jiangbei" in listed.stdout and "江北区（229902）" in listed.stdout
    assert "centre" in listed.stdout and "管理员" in listed.stdout
    with sqlite3.connect(site.root / "portal" / "users.sqlite") as con:
        hashes = dict(con.execute("select login, password_hash from users").fetchall())
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert not any(PASSWORDS[login] in h for login, h in hashes.items())
    unknown = site.xmk("users", "add", "nobody", "--region", "999999", "--password-stdin",
                       stdin="some-password\n")  # fmt: skip
    assert unknown.returncode == 2 and "999999 不在区划表中" in unknown.stderr


def test_a_county_sees_its_defects_with_their_rows_uploads_the_fix_and_confirms(site, browser):
    broken = city.jiangbei_october(site.desk, fixed=False)
    fixed = city.jiangbei_october(site.desk, fixed=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _log_in(page, site, "jiangbei")
    assert page.url.endswith("/submit")

    _upload(page, site, broken, "2026-10")
    errors = int(page.inner_text("#errors").split()[0])
    assert errors >= 1
    page.screenshot(path=str(site.root / "self_check.png"), full_page=True)
    rows = _failure_rows(page)
    row_4 = str(_excel_row_of(broken, "在建", PROJECT_4))
    # Project 4's plan is 待定 (no figure: an error) and its completion 2023-2025 (a range
    # where one month belongs: unreadable, a warning): one row, both problems, each at its cell.
    mine = {(r["级别"], r["表头"][:6], r["填写内容"]) for r in rows if r["行"] == row_4}
    assert ("错误", "年度计划投资", "") in mine
    assert ("警告", "计划竣工时间", "2023-2025") in mine
    assert all(r["工作表"].startswith("在建") and r["列"] and r["修改建议"] for r in rows)
    # The clerk's own workbook comes back marked.
    with page.expect_download() as download:
        page.click("text=下载标注后的工作簿")
    assert download.value.suggested_filename.endswith("_标注.xlsx")
    download.value.save_as(site.root / "marked.xlsx")
    marked = load_workbook(site.root / "marked.xlsx")
    ws = next(marked[n] for n in marked.sheetnames if "在建" in n)
    assert any(ws.cell(int(row_4), c).comment for c in range(1, ws.max_column + 1))
    first_id = page.url.rsplit("/", 1)[-1]

    _upload(page, site, fixed, "2026-10")
    assert page.inner_text("#errors").startswith("0 ")
    page.click("form.confirm button[type=submit]")
    page.wait_for_selector(".alert.ok")
    assert "已于" in page.inner_text(".alert.ok")
    page.screenshot(path=str(site.root / "confirmed.png"), full_page=True)

    landed = [p for p in (site.raw / "2026-10").glob("229902_江北区_*") if p.suffix == ".xlsx"]
    assert len(landed) == 1
    assert landed[0].read_bytes() == fixed.read_bytes()
    receipt = read_receipt(landed[0])
    assert (receipt.account, receipt.region_code, receipt.period, receipt.kind) == (
        "jiangbei", city.JIANGBEI, "2026-10", "county_monthly",
    )  # fmt: skip
    assert receipt.sha256 == hashlib.sha256(fixed.read_bytes()).hexdigest()
    assert receipt.size == fixed.stat().st_size
    # The unconfirmed first upload is not in raw/.
    assert len(list((site.raw / "2026-10").glob("*" + RECEIPT_SUFFIX))) == 1
    site.facts.update(
        first_id=first_id,
        confirmed_id=page.url.rsplit("/", 1)[-1],
        landed=landed[0],
        receipt=receipt,
        errors_first=errors,
    )
    page.close()


def test_the_api_gives_the_same_self_check_with_places_and_hints(site):
    client, csrf = site.client("jiangbei")
    broken = site.desk / "2026-10" / "229902_江北区.xlsx"
    with open(broken, "rb") as f:
        r = client.post(
            "/api/submissions",
            data={"period": "2026-10"},
            files={"file": (broken.name, f)},
            headers={"X-CSRF-Token": csrf},
        )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["errors"] == site.facts["errors_first"]
    row_4 = _excel_row_of(broken, "在建", PROJECT_4)
    plan = [f for f in body["failures"] if f["excel_row"] == row_4 and f["severity"] == "error"]
    assert plan and plan[0]["field"] == "annual_plan_wan" and plan[0]["severity"] == "error"
    assert set(plan[0]) >= {"sheet", "excel_row", "field", "value", "rule", "severity", "hint"}
    listed = client.get("/api/submissions").json()["submissions"]
    assert body["submission_id"] in {s["submission_id"] for s in listed}


def test_what_a_clerk_typed_is_shown_escaped(site):
    client, csrf = site.client("jiangbei")
    fixed = site.desk / "2026-10" / "229902_江北区_更正.xlsx"
    hostile = '<img src=x onerror="alert(1)">.xlsx'
    r = client.post(
        "/api/submissions",
        data={"period": "2026-10"},
        files={"file": (hostile, fixed.read_bytes())},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    page = client.get(f"/submissions/{r.json()['submission_id']}").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    history = client.get("/submissions").text
    assert "<img src=x" not in history and "&lt;img src=x" in history


def test_a_weekly_return_lands_in_its_week_folder(site):
    client, csrf = site.client("jiangbei")
    fixed = site.desk / "2026-10" / "229902_江北区_更正.xlsx"
    r = client.post(
        "/api/submissions",
        data={"period": "2026-W44"},
        files={"file": ("周报.xlsx", fixed.read_bytes())},
        headers={"X-CSRF-Token": csrf},
    )
    body = r.json()
    assert r.status_code == 201 and body["status"] == "checked", body
    assert body["errors"] == 0
    confirmed = client.post(
        f"/api/submissions/{body['submission_id']}/confirm", headers={"X-CSRF-Token": csrf}
    ).json()
    landed = site.raw / confirmed["landed_as"]
    assert landed.parent.name == "2026-W44" and "已开工未入统" in landed.name
    receipt = read_receipt(landed)
    assert (receipt.kind, receipt.period) == ("county_weekly", "2026-W44")
    bad = client.post(
        "/api/submissions",
        data={"period": "2026-13"},
        files={"file": ("x.xlsx", fixed.read_bytes())},
        headers={"X-CSRF-Token": csrf},
    )
    assert bad.status_code == 400 and "报送期" in bad.json()["error"]


def test_a_forged_post_without_the_csrf_token_is_refused(site):
    client, _ = site.client("jiangbei")
    sid = site.facts["first_id"]
    assert client.post(f"/submissions/{sid}/confirm", data={}).status_code == 403
    assert client.post(f"/api/submissions/{sid}/confirm").status_code == 403
    assert client.post(f"/api/submissions/{sid}/confirm",
                       headers={"X-CSRF-Token": "forged"}).status_code == 403  # fmt: skip
    login_form = site.client()[0].post(
        "/login", data={"username": "jiangbei", "password": PASSWORDS["jiangbei"]}
    )
    assert login_form.status_code == 403
    # Nothing of the first upload was confirmed by any of these.
    assert client.get(f"/api/submissions/{sid}").json()["status"] == "checked"


def test_session_cookies_are_httponly_and_samesite(site):
    client, _ = site.client()
    r = client.post("/api/login", json={"username": "qingshan", "password": PASSWORDS["qingshan"]})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_a_zip_bomb_is_refused_with_its_reason_and_nothing_is_written(site):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 2**20))
    assert len(bomb.getvalue()) < UPLOAD_CAP_MB * 2**20
    before = sorted(p.relative_to(site.raw) for p in site.raw.rglob("*"))
    client, csrf = site.client("jiangbei")
    r = client.post(
        "/api/submissions",
        data={"period": "2026-10"},
        files={"file": ("bomb.xlsx", bomb.getvalue())},
        headers={"X-CSRF-Token": csrf},
    )
    body = r.json()
    assert body["status"] == "refused" and "压缩" in body["refused_reason"]
    assert sorted(p.relative_to(site.raw) for p in site.raw.rglob("*")) == before
    kept = list((site.root / "portal" / "uploads" / body["submission_id"]).iterdir())
    assert [p.name for p in kept] == ["upload.json"]
    confirm = client.post(
        f"/api/submissions/{body['submission_id']}/confirm", headers={"X-CSRF-Token": csrf}
    )
    assert confirm.status_code == 409


def test_an_upload_over_the_cap_is_refused_with_a_clear_message(site):
    client, csrf = site.client("jiangbei")
    r = client.post(
        "/api/submissions",
        data={"period": "2026-10"},
        files={"file": ("big.xlsx", b"x" * (UPLOAD_CAP_MB * 2**20 + 200_000))},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 413
    assert f"上传上限为 {UPLOAD_CAP_MB} MB" in r.json()["error"]


def test_failed_logins_are_throttled_even_for_the_right_password(site):
    client, _ = site.client()
    wrong = {"username": "qingshan", "password": "wrong"}
    for _ in range(5):
        assert client.post("/api/login", json=wrong).status_code == 401
    right = client.post(
        "/api/login", json={"username": "qingshan", "password": PASSWORDS["qingshan"]}
    )
    assert right.status_code == 429 and "登录失败次数过多" in right.json()["error"]
    with sqlite3.connect(site.root / "portal" / "users.sqlite") as con:
        con.execute("delete from login_failures where login = 'qingshan'")  # for the next tests
    audit = (site.root / "portal" / "audit.log").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line)["event"] for line in audit]
    assert {"login", "login_failed", "login_throttled", "upload", "confirm"} <= set(events)


def test_a_night_loads_the_upload_with_its_receipt_and_the_county_sees_its_report(site):
    night = site.xmk("run")
    assert night.returncode in (0, 3), night.stderr[-3000:]
    landed = site.facts["landed"].relative_to(site.raw).as_posix()
    con = duckdb.connect(str(site.root / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        received, submitted_by, region = con.execute(
            "select received_at, submitted_by, region_code from raw.file_manifest "
            "where original_path = ?",
            [landed],
        ).fetchone()
    finally:
        con.close()
    receipt_time = site.facts["receipt"].received_at
    assert received == receipt_time.astimezone().replace(tzinfo=None)
    assert (submitted_by, region) == ("jiangbei", city.JIANGBEI)

    client, _ = site.client("jiangbei")
    mine = client.get(f"/api/submissions/{site.facts['confirmed_id']}").json()
    assert mine["pipeline"]["code"] == "loaded"
    found = client.get("/api/reports").json()["reports"]
    october = [r for r in found if r["month"] == "2026-10"]
    assert october and {r["region_code"] for r in found} == {city.JIANGBEI}
    report = client.get(october[0]["url"])
    assert report.status_code == 200 and len(report.content) > 1000
    site.facts["report_url"] = october[0]["url"]


def test_another_county_gets_404_on_every_url_of_the_first(site):
    client, csrf = site.client("qingshan")
    upload = site.facts["confirmed_id"]
    jiangbei, _ = site.client("jiangbei")
    first = site.facts["first_id"]
    files = jiangbei.get(f"/api/submissions/{first}").json()
    assert jiangbei.get(files["files"]["marked"]).status_code == 200
    urls = [
        f"/submissions/{upload}",
        f"/api/submissions/{upload}",
        *files["files"].values(),
        *[f"/submissions/{first}/files/{name}" for name in files["marked_files"]],
        *[f"/submissions/{first}/files/{name}" for name in files["report_files"]],
        site.facts["report_url"],
        "/admin/progress",
        "/api/admin/progress?period=2026-10",
    ]
    assert len(urls) >= 9
    for url in urls:
        r = client.get(url)
        assert r.status_code == 404, url
        assert "江北区" not in r.text and "229902" not in r.text, url
    assert client.post(f"/api/submissions/{upload}/confirm",
                       headers={"X-CSRF-Token": csrf}).status_code == 404  # fmt: skip
    listed = client.get("/api/submissions").json()["submissions"]
    assert all(s["region_code"] == city.QINGSHAN for s in listed)
    reports = client.get("/api/reports").json()["reports"]
    assert reports and all(r["region_code"] == city.QINGSHAN for r in reports)
    page = client.get("/submissions")
    assert "229902" not in page.text and "江北区" not in page.text


def test_the_centre_sees_who_is_late_and_reminds_them_once(site, browser):
    client, csrf = site.client("centre")
    board = client.get("/api/admin/progress?period=2026-10").json()
    rows = {r["region_code"]: r for r in board["rows"]}
    assert board["late"] == [city.BAIHE]
    assert rows[city.BAIHE]["state"] == "late_missing"
    assert rows[city.JIANGBEI]["lists"]["under_construction"]["submitted"]
    assert board["statistics_file"]["submitted"]
    assert board["deadline"].startswith("2026-11-06T00:00")

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _log_in(page, site, "centre")
    page.goto(site.url + "/admin/progress?period=2026-10")
    late_row = page.inner_text(f"#progress tr[data-region='{city.BAIHE}']")
    assert "逾期未报" in late_row
    page.screenshot(path=str(site.root / "progress.png"), full_page=True)
    page.click("form.remind button[type=submit]")
    assert "发送 1 家" in page.inner_text("#remind-result")
    page.click("form.remind button[type=submit]")
    assert "发送 0 家" in page.inner_text("#remind-result")
    assert "未重复发送" in page.inner_text("#remind-result")
    again = client.post("/api/admin/remind?period=2026-10", headers={"X-CSRF-Token": csrf})
    assert again.json()["sent"] == [] and again.json()["already"] == [city.BAIHE]
    # The night before mailed the county reports through the same server; one reminder.
    mails = [
        (to, message_from_bytes(content, policy=default)) for _, to, content in site.inbox.messages
    ]
    reminders = [(to, m) for to, m in mails if "催报" in m["Subject"]]
    assert len(reminders) == 1
    to, message = reminders[0]
    assert to == ["xmzx@baihe.example.gov.cn"] and "白河县" in message["Subject"]
    assert "在建项目" in message.get_content()
    page.close()


def test_the_receipt_time_is_the_servers_clock(site):
    receipt = site.facts["receipt"]
    confirmed = json.loads(
        (site.root / "portal" / "uploads" / site.facts["confirmed_id"] / "upload.json").read_text(
            encoding="utf-8"
        )
    )
    assert datetime.fromisoformat(confirmed["confirmed_at"]) == receipt.received_at.replace(
        microsecond=0
    )


def test_a_county_reads_only_its_own_published_rows(site):
    (site.raw / "reference" / "exemptions.csv").write_text(
        "region_code,period_month,reason\n白河县,2026-10,县发改局机构调整，经市项目中心同意本月免报\n",
        encoding="utf-8",
    )
    night = site.xmk("run")
    assert night.returncode == 0, night.stdout[-3000:] + night.stderr[-3000:]
    published = site.root / "warehouse" / "published.duckdb"
    con = duckdb.connect(str(published), read_only=True)
    try:
        counts = dict(
            con.execute("select region_code, count(*) from marts.dim_project group by 1").fetchall()
        )
    finally:
        con.close()
    assert counts[city.QINGSHAN] and counts[city.JIANGBEI]
    client, _ = site.client("qingshan")
    for ask in (
        "/api/data?table=dim_project",
        f"/api/data?table=dim_project&region={city.JIANGBEI}",
    ):
        body = client.get(ask).json()
        assert body["published"] and body["total"] == counts[city.QINGSHAN]
        assert {r["region_code"] for r in body["rows"]} == {city.QINGSHAN}
    page = client.get(f"/data?table=dim_project&region={city.JIANGBEI}")
    assert "江北区滨江项目" not in page.text and "青山县" in page.text
    assert client.get("/api/data?table=raw.file_manifest").status_code == 404
    centre, _ = site.client("centre")
    everything = centre.get("/api/data?table=dim_project").json()
    assert everything["total"] == sum(counts.values())
