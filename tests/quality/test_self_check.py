"""`xmk validate FILE`: the county's own check before sending, without the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl

from dagster_project.cli import main
from dagster_project.quality.self_check import self_check
from tests.quality.conftest import OCTOBER
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx


def _workbook(path, owner="蛟河XX有限公司"):
    rows = [*title_rows("在建项目", "蛟河市发展和改革局"), TEMPLATE_UNDER_CONSTRUCTION]
    rows.append([1, "2024-220281-48-01-000001", "示范产业园", owner, "天岗镇", 8000, 2000, 500,
                 "2024.3", "2024.4", "蛟河市工信局", "张三", "13912345678"])  # fmt: skip
    return write_xlsx(path, {"在建项目": rows})


def _detail_rows(report_dir):
    (path,) = report_dir.glob("*/数据质量报告_*.xlsx")
    rows = list(openpyxl.load_workbook(path, read_only=True)["明细"].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_missing_owner_is_reported_with_its_cell_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("XMK_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("XMK_RAW_DIR", str(tmp_path / "raw"))
    path = _workbook(tmp_path / "2026-10" / "220281_蛟河市.xlsx", owner=None)
    out = tmp_path / "out"
    assert main(["validate", str(path), "--out", str(out)]) == 1
    header, rows = _detail_rows(out / "reports" / "2026-10")
    errors = [r for r in rows if r[header.index("级别")] == "错误"]
    assert len(errors) == 1
    (error,) = errors
    assert (error[header.index("工作表")], int(error[header.index("行号")])) == ("在建项目", 5)
    assert error[header.index("列")] == "D"  # 项目法人 is the fourth column
    assert not (tmp_path / "warehouse").exists()  # the real warehouse is never touched
    assert not (tmp_path / "raw").exists()


def test_clean_workbook_passes_with_exit_0(tmp_path):
    path = _workbook(tmp_path / "220281_蛟河市.xlsx")
    out = tmp_path / "out"
    assert main(["validate", str(path), "--out", str(out), "--period", "2026-10"]) == 0
    header, rows = _detail_rows(out / "reports" / "2026-10")
    assert all(r[header.index("级别")] != "错误" for r in rows)


def test_refused_file_says_why_and_exits_1(tmp_path, capsys):
    path = tmp_path / "2026-10" / "220281_蛟河市.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.4 a scanned copy")
    assert main(["validate", str(path), "--out", str(tmp_path / "out")]) == 1
    assert "PDF" in capsys.readouterr().out
    assert os.listdir(path.parent) == [path.name]  # nothing written beside the file


# --------------------------------------------------------------------------- as a clerk runs it

XMK = Path(sys.executable).with_name("xmk")


def _clerk_runs(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`xmk validate …` from the clerk's own folder, with none of the city's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XMK_")} | (env or {})
    return subprocess.run(
        [str(XMK), "validate", *args], cwd=cwd, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=120, check=False,
    )  # fmt: skip


def _desktop_workbook(path: Path, title: str, ytd_header: str = "1-X月累计完成投资（万元）"):
    header = [ytd_header if h.startswith("1-X月") else h for h in TEMPLATE_UNDER_CONSTRUCTION]
    rows = [[title], ["填报单位：蛟河市发展和改革局"], header]
    rows.append([1, "2024-220281-48-01-000001", "示范产业园", None, "天岗镇", 8000, 2000, 500,
                 "2024.3", "2024.4", "蛟河市工信局", "张三", "13912345678"])  # fmt: skip
    return write_xlsx(path, {"在建项目": rows})


def test_a_desktop_file_is_checked_for_the_month_its_title_names(tmp_path):
    desk = tmp_path / "桌面"
    path = _desktop_workbook(desk / "蛟河市在建项目.xlsx", "吉林市在建项目清单（2026年9月）")
    done = _clerk_runs(tmp_path, str(path), "--out", "报告")
    assert done.returncode == 1, done.stderr
    assert "报送月份：2026年9月（标题行注明2026年9月；如不对请用 --period 指定）" in done.stdout
    folder = tmp_path / "报告" / "reports" / "2026-09" / "220281_蛟河市"
    annotated = folder / "蛟河市在建项目_标注.xlsx"
    assert f"  标注: {annotated}" in done.stdout.splitlines()
    assert annotated.is_file()
    assert f"  报告: {folder / '数据质量报告_蛟河市_2026年9月.xlsx'}" in done.stdout


def test_a_desktop_file_without_a_title_month_is_checked_for_its_ytd_headers_month(tmp_path):
    path = _desktop_workbook(
        tmp_path / "蛟河.xlsx", "吉林市在建项目清单", "1-8月累计完成投资（万元）"
    )
    done = _clerk_runs(tmp_path, str(path))
    today = date.today()
    year = today.year if today.month >= 8 else today.year - 1
    assert f"报送月份：{year}年8月（表头“1-8月累计完成投资”，按{year}年计" in done.stdout
    assert (tmp_path / "out" / "reports" / f"{year}-08" / "220281_蛟河市").is_dir()


def test_a_desktop_file_that_names_no_month_asks_for_the_period(tmp_path):
    path = _desktop_workbook(tmp_path / "蛟河.xlsx", "吉林市在建项目清单")
    done = _clerk_runs(tmp_path, str(path))
    assert done.returncode == 2
    assert "无法确定报送月份" in done.stderr and "--period YYYY-MM" in done.stderr
    assert not (tmp_path / "out").exists()  # no report for a guessed month
    named = _clerk_runs(tmp_path, str(path), "--period", "2026-10")
    assert named.returncode == 1
    assert (tmp_path / "out" / "reports" / "2026-10" / "220281_蛟河市").is_dir()


def test_the_clerks_xmk_validate_imports_neither_gx_nor_dagster_nor_dbt(tmp_path):
    path = _workbook(tmp_path / "桌面" / "220281_蛟河市.xlsx", owner=None)
    # Python logs every module the process imports, from its start, when this is set.
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    done = _clerk_runs(tmp_path, str(path), "--period", "2026-10", env=env)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "1 项错误" in done.stdout
    assert (tmp_path / "out" / "reports" / "2026-10" / "220281_蛟河市").is_dir()
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    # The log is there: the check's own modules and the readers it needs are in it.
    assert {"dagster_project.quality.self_check", "dagster_project.cli", "duckdb"} <= imported
    heavy = sorted(
        m for m in imported if m.split(".")[0] in {"great_expectations", "dagster", "dbt"}
    )
    assert heavy == []


# --------------------------------------------------------------------------- engines

_PLANTED = [
    # A clean row, then one defect or more per row, each of another expectation type.
    [1, "2024-220281-48-01-000001", "示范产业园", "蛟河XX有限公司", "天岗镇", 8000, 2000, 500,
     "2024.3", "2024.4", "蛟河市工信局", "张三", "13912345678"],
    [2, "2024-220281-48-01-000002", "物流中心", None, "天岗镇", 6000, 1000, 300,
     "2024.3", "2024.4", "蛟河市工信局", "李四", "13912345679"],  # no 项目法人
    [3, "2024-22028-48-01", "冷链仓储", "蛟河YY有限公司", "新站镇", 900, 400, 1200,
     "2024.5", "2024.6", "蛟河市商务局", "王五", "12345"],  # code, 1-X月 > total, phone
    [4, "2024-220281-48-01-000001", "示范产业园", "蛟河ZZ有限公司", "白石山镇", 300, 800, 100,
     "2024.3", "2024.4", "蛟河市工信局", "赵六", "13912345670"],  # duplicate, plan > total
    [5, "2024-220281-48-01-000005", "污水处理", "蛟河市水务公司", "拉法街道", -5, 0, 0,
     "2024.3", "2024.4", "蛟河市水利局", None, "0432-7221234"],  # total < 0, no 责任人
    [6, "2024-220281-48-01-000006", "道路改造", "蛟河市城投公司", None, None, 100, 50,
     "2024.3", "2024.4", "蛟河市交通局", "孙七", "13912345671"],  # no 建设地点, no total
]  # fmt: skip


def test_the_direct_engine_finds_what_gx_finds_in_a_workbook_of_planted_errors(tmp_path):
    rows = [*title_rows("在建项目", "蛟河市发展和改革局"), TEMPLATE_UNDER_CONSTRUCTION, *_PLANTED]
    path = write_xlsx(tmp_path / "220281_蛟河市.xlsx", {"在建项目": rows})
    checks = {
        engine: self_check(path, tmp_path / engine, OCTOBER, tmp_path / "raw", engine=engine)
        for engine in ("gx", "direct")
    }
    assert checks["direct"].failures == checks["gx"].failures
    rules = {f.rule for f in checks["gx"].failures}
    planted = {
        "required_project_owner", "required_location", "required_total_investment_wan",
        "required_responsible_person", "total_investment_positive", "list_threshold",
        "ytd_not_above_total", "annual_plan_not_above_total", "project_code_format",
        "contact_phone_format", "duplicate_project_code", "duplicate_project_name",
    }  # fmt: skip
    assert planted <= rules
    assert checks["direct"].errors == checks["gx"].errors >= 5
    # The same report too: its summary says the same.
    assert checks["direct"].describe().replace("/direct/", "/gx/") == checks["gx"].describe()
