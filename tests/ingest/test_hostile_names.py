"""Names and places a careless clerk or a Windows zip gives files: a name in GBK bytes, a
file refused for its name and then renamed, a file outside any period folder, and a
September workbook dropped into October's folder."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.discover import discover
from dagster_project.ingest.load import ingest
from dagster_project.template.workbook import official_workbook
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_official, write_xlsx

ROW = [1, "2024-220281-48-01-000001", "蛟河市项目1", "蛟河市建设公司", "新站镇", 8000, 3000, 1000,
       "2026.3", "2026.4", "蛟河市发改局", "张三", "13912345678"]  # fmt: skip


def _manifest(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            """select original_path, file_name, status, region_code, reason
               from raw.file_manifest order by original_path"""
        ).fetchall()
    finally:
        con.close()


def _workbook(path: Path, title_name: str | None = None) -> Path:
    """A 在建 sheet whose title names no submitter unless `title_name` is given."""
    titles = title_rows("在建项目", title_name) if title_name else [["在建项目清单"]]
    return write_xlsx(path, {"在建项目": [*titles, TEMPLATE_UNDER_CONSTRUCTION, ROW]})


def test_a_file_name_in_gbk_bytes_is_read_and_named_in_gb18030(tmp_path):
    folder = tmp_path / "raw" / "2026-10"
    folder.mkdir(parents=True)
    gbk = os.fsencode(folder) + b"/" + "220281_蛟河市.xlsx".encode("gbk")
    _workbook(Path(os.fsdecode(gbk)))
    neither = os.fsencode(folder) + b"/\xff\xfe_report.xlsx"  # not UTF-8, not GB18030
    _workbook(Path(os.fsdecode(neither)), "舒兰市")
    db = tmp_path / "warehouse.duckdb"
    report = ingest(tmp_path / "raw", db, jobs=1)
    assert (report.files_loaded, report.files_rejected) == (2, 0)
    rows = _manifest(db)
    assert rows[0][:4] == ("2026-10/220281_蛟河市.xlsx", "220281_蛟河市.xlsx", "loaded", "220281")
    # Kept with its bytes escaped; the submitter came from its title rows.
    assert rows[1][:4] == ("2026-10/\\xff\\xfe_report.xlsx", "\\xff\\xfe_report.xlsx", "loaded",
                           "220283")  # fmt: skip


def test_a_file_refused_for_its_name_is_read_again_once_renamed(tmp_path):
    raw = tmp_path / "raw"
    first = _workbook(raw / "2026-10" / "10月份报表.xlsx")
    db = tmp_path / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    ((path, _name, status, region, reason),) = _manifest(db)
    assert (path, status, region) == ("2026-10/10月份报表.xlsx", "rejected", None)
    assert "请按“区划代码_单位名称.xlsx”命名文件" in reason
    # The clerk does as told: the same bytes under the name asked for.
    first.rename(raw / "2026-10" / "220281_蛟河市.xlsx")
    report = ingest(raw, db, jobs=1)
    assert (report.files_loaded, report.files_unchanged) == (1, 0)
    assert _manifest(db) == [
        ("2026-10/220281_蛟河市.xlsx", "220281_蛟河市.xlsx", "loaded", "220281", None)
    ]


def test_a_file_outside_a_period_folder_is_refused_and_forgotten_once_removed(tmp_path):
    raw = tmp_path / "raw"
    _workbook(raw / "2026-10" / "220281_蛟河市.xlsx")
    top = _workbook(raw / "220282_桦甸市.xlsx", "桦甸市")
    month_13 = _workbook(raw / "2026-13" / "220283_舒兰市.xlsx", "舒兰市")
    db = tmp_path / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    refused = {path: reason for path, _n, status, _r, reason in _manifest(db) if status != "loaded"}
    assert set(refused) == {"220282_桦甸市.xlsx", "2026-13/220283_舒兰市.xlsx"}
    assert all("不在报送期目录中" in reason for reason in refused.values())
    top.unlink()
    month_13.unlink()
    ingest(raw, db, jobs=1)
    assert [row[0] for row in _manifest(db)] == ["2026-10/220281_蛟河市.xlsx"]


def _september_workbook(path: Path, name: str, header_month: int, title_month: int) -> Path:
    """The official template as a county fills it for `title_month`, its 1-X月 header
    saying `header_month`."""
    wb, sheets = official_workbook(name, date(2026, title_month, 1), instructions=False)
    ws = sheets["under_construction"]
    for row in ws.iter_rows(min_row=1, max_row=3):
        for cell in row:
            if isinstance(cell.value, str) and "累计完成投资" in cell.value:
                cell.value = f"1-{header_month}月累计完成投资（万元）"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_a_workbook_for_another_month_is_refused_for_the_folder_it_was_put_in(tmp_path):
    raw = tmp_path / "raw"
    _september_workbook(raw / "2026-10" / "220281_蛟河市.xlsx", "蛟河市", 9, title_month=9)
    _september_workbook(raw / "2026-10" / "220282_桦甸市.xlsx", "桦甸市", 9, title_month=10)
    write_official(raw / "2026-10" / "220283_舒兰市.xlsx", "舒兰市", date(2026, 10, 1),
                   {"under_construction": []})  # fmt: skip
    db = tmp_path / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    outcome = {name: (status, reason) for _p, name, status, _r, reason in _manifest(db)}
    status, reason = outcome["220281_蛟河市.xlsx"]
    assert status == "rejected" and reason.startswith("文件标题注明2026年9月，但放在2026-10目录")
    status, reason = outcome["220282_桦甸市.xlsx"]
    assert status == "rejected" and "的表头为“1-9月累计完成投资”" in reason
    assert outcome["220283_舒兰市.xlsx"] == ("loaded", None)


def test_a_date_of_filling_in_is_not_taken_for_the_period(tmp_path):
    raw = tmp_path / "raw"
    titles = [
        ["吉林市在建项目清单（2026年10月）"],
        ["填报单位：蛟河市", None, "填报日期：2026年11月5日"],
    ]
    write_xlsx(
        raw / "2026-10" / "220281_蛟河市.xlsx",
        {"在建项目": [*titles, TEMPLATE_UNDER_CONSTRUCTION, ROW]},
    )
    db = tmp_path / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    assert [row[2] for row in _manifest(db)] == ["loaded"]


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("2026-11-10_协调推进会议纪要.xlsx", date(2026, 11, 10)),
        ("20261110纪要.xlsx", date(2026, 11, 10)),
        ("协调推进会（2026年11月10日）纪要.xlsx", date(2026, 11, 10)),
        ("2026.1.5 会议纪要.xlsx", date(2026, 1, 5)),
        ("协调推进会议纪要.xlsx", None),
        ("2026-13-45_纪要.xlsx", None),  # no such day
    ],
)
def test_a_minutes_file_takes_the_meeting_day_from_its_name(tmp_path, name, day):
    path = tmp_path / "meetings" / name
    path.parent.mkdir()
    path.write_bytes(b"x")
    (cand,) = discover(tmp_path)
    assert (cand.kind, cand.meeting_day, cand.period_month) == ("meeting_minutes", day, None)
    if day is None:
        assert "文件名没有会议日期" in cand.misplaced_reason
    else:
        assert cand.misplaced_reason is None
