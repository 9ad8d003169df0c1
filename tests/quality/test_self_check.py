"""`xmk validate FILE`: the county's own check before sending, without the warehouse."""

from __future__ import annotations

import os

import openpyxl

from dagster_project.cli import main
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
