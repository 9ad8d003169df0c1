"""三(四) who answers for what, on the scenario city's published snapshot: its October 2026
ledger (tests/dbt/city.py) holds two open issues of 蛟河市.

    A2 用地  市自然资源局 (分管 刘振国)  raised 2026-09-01, 办结时限 2026-09-30
    A1 资金  市财政局 (分管 陈立群)      raised 2026-10-20, no 办结时限

Worked out by hand (issue_escalation_days 30):
    meeting 2026-11-05  A2: open 65 days (30 + 31 + 5 − 1), 36 past its 办结时限 → on the
                        agenda; A1: open 16 days → not yet
    meeting 2026-11-25  A2 (56 past) and A1 (open 36 days > 30): 刘振国 first, then 陈立群
    October's lists     市自然资源局 1 open, 1 overdue (31 days on 31 October);
                        市财政局 1 open, none overdue
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from dagster_project.cli import main
from dagster_project.publish.accountability import read_agenda, read_department_lists
from dagster_project.publish.analyst_sql import connect_snapshot
from tests.conftest import cron_env

XMK = Path(sys.executable).parent / "xmk"


@pytest.fixture
def snapshot(scenario):
    con = connect_snapshot(scenario / "warehouse" / "published.duckdb")
    yield con
    con.close()


def _agenda(con, day: date) -> list[tuple]:
    return [
        (
            d.leader,
            d.department,
            [(r["project_name"], r["days_open"], r["days_overdue"]) for r in d.rows],
        )
        for d in read_agenda(con, day)
    ]


def test_an_overdue_issue_is_on_the_agenda_and_a_young_one_not(snapshot):
    assert _agenda(snapshot, date(2026, 11, 5)) == [
        ("刘振国", "市自然资源局", [("A2项目", 65, 36)])
    ]


def test_an_issue_without_deadline_comes_once_open_longer_than_the_var(snapshot):
    assert _agenda(snapshot, date(2026, 11, 25)) == [
        ("刘振国", "市自然资源局", [("A2项目", 85, 56)]),
        ("陈立群", "市财政局", [("A1项目", 36, None)]),
    ]


def test_each_department_gets_its_open_issues_of_the_month(snapshot):
    month, lists = read_department_lists(snapshot, None)
    assert month == date(2026, 10, 1)
    assert [(d.department, d.leader, len(d.rows), d.overdue) for d in lists] == [
        ("市自然资源局", "刘振国", 1, 1),
        ("市财政局", "陈立群", 1, 0),
    ]
    assert lists[0].rows[0]["days_overdue"] == 31


def test_the_agenda_command_called_by_its_path_writes_the_workbook(scenario, tmp_path):
    env = {**cron_env(tmp_path), "XMK_WAREHOUSE_DIR": str(scenario / "warehouse")}
    done = subprocess.run(
        [str(XMK), "meeting-agenda", "--date", "2026-11-25", "--out", "agenda.xlsx"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert "2 issues, 2 departments" in done.stdout.decode()
    ws = openpyxl.load_workbook(tmp_path / "agenda.xlsx").active
    column_a = [c.value for c in ws["A"] if c.value is not None]
    assert "一、刘振国同志（市自然资源局）" in column_a
    assert "二、陈立群同志（市财政局）" in column_a
    names = [row[2] for row in ws.iter_rows(min_row=4, values_only=True) if row[1]]
    assert names == ["A2项目", "A1项目"]


def test_the_department_lists_command_writes_one_workbook_per_department(
    scenario, tmp_path, capsys
):
    args = ["department-lists", "--warehouse", str(scenario / "warehouse")]
    assert main([*args, "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in (tmp_path / "departments" / "2026-10").iterdir())
    assert written == ["市自然资源局_问题清单.xlsx", "市财政局_问题清单.xlsx"]
    ws = openpyxl.load_workbook(tmp_path / "departments" / "2026-10" / written[0]).active
    assert ws["A2"].value == "全市未办结问题1项，其中超过办结时限1项（分管市领导：刘振国）。"
    assert "2 department lists for 2026-10" in capsys.readouterr().out


def test_a_bad_date_or_no_snapshot_is_said_in_one_line(tmp_path, capsys):
    assert main(["meeting-agenda", "--date", "2026-13-01", "--warehouse", str(tmp_path)]) == 2
    assert "--date must look like 2026-12-01" in capsys.readouterr().err
    assert main(["meeting-agenda", "--date", "2026-12-01", "--warehouse", str(tmp_path)]) == 2
    assert "no published snapshot yet" in capsys.readouterr().err


def test_department_lists_go_to_each_departments_address_once(scenario, tmp_path, smtp_server):
    """`xmk department-lists --mail` as cron calls it, to a real SMTP server on loopback:
    市自然资源局 has an address in the deployment's department_leaders.csv, 市财政局 none
    at first (it is named, not sent), then two; a list already sent is not sent again."""
    box, port = smtp_server()
    reference = tmp_path / "raw" / "reference"
    reference.mkdir(parents=True)
    leaders = reference / "department_leaders.csv"
    leaders.write_text(
        "department,leader,email\n市自然资源局,刘振国,zrzyj@city.example\n市财政局,陈立群,\n",
        encoding="utf-8",
    )
    env = {
        **cron_env(tmp_path),
        "XMK_WAREHOUSE_DIR": str(scenario / "warehouse"),
        "XMK_RAW_DIR": str(tmp_path / "raw"),
        "XMK_SMTP_HOST": "127.0.0.1",
        "XMK_SMTP_PORT": str(port),
    }

    def department_lists() -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(XMK), "department-lists", "--mail", "--out", "out"],
            cwd=tmp_path, env=env, capture_output=True, timeout=120, text=True,
        )  # fmt: skip

    first = department_lists()
    assert first.returncode == 0, first.stderr
    assert "市财政局 未登记联系邮箱（department_leaders.csv 的 email 列），未发送" in first.stdout
    (msg,) = box.messages
    assert msg["To"] == "zrzyj@city.example"
    assert msg["Subject"] == "【项目库】市自然资源局2026年10月未办结问题清单：1项（超期1项）"
    (attachment,) = msg.iter_attachments()
    assert attachment.get_filename() == "市自然资源局_问题清单.xlsx"
    sent = tmp_path / "list.xlsx"
    sent.write_bytes(attachment.get_content())
    ws = openpyxl.load_workbook(sent).active
    assert ws["A2"].value == "全市未办结问题1项，其中超过办结时限1项（分管市领导：刘振国）。"
    assert "分管市领导：刘振国" in msg.get_body(("plain",)).get_content()

    leaders.write_text(
        "department,leader,email\n市自然资源局,刘振国,zrzyj@city.example\n"
        "市财政局,陈立群,czj@city.example; czj-office@city.example\n",
        encoding="utf-8",
    )
    second = department_lists()
    assert second.returncode == 0, second.stderr
    assert len(box.messages) == 2  # 市自然资源局's list is not sent again
    assert box.envelopes[1].rcpt_tos == ["czj@city.example", "czj-office@city.example"]
    assert "department lists: 1 sent, 0 refused" in second.stdout
    assert "1 sent before" in second.stdout
