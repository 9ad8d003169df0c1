"""Which of two files of one county and month counts, when files are dropped by hand: the
later received (the file time), said in the run summary every time it decides; a re-send
of the first file's bytes, later than the correction, counts again."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.load import ingest
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

FOLDER = "2026-10"


def _workbook(raw: Path, name: str, ytd: int, when: str) -> Path:
    row = [1, "2024-220281-48-01-000001", "蛟河市项目1", "蛟河市建设公司", "新站镇", 8000, 3000,
           ytd, "2026.3", "2026.4", "蛟河市发改局", "张三", "13912345678"]  # fmt: skip
    path = write_xlsx(
        raw / FOLDER / name,
        {"在建项目": [*title_rows("在建项目", "蛟河市"), TEMPLATE_UNDER_CONSTRUCTION, row]},
    )
    ts = datetime.fromisoformat(when).timestamp()
    os.utime(path, (ts, ts))
    return path


def _in_force(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            """select f.file_name, u.ytd_completed_wan from raw.effective_submission_lists e
               join raw.file_manifest f using (submission_id)
               join raw.under_construction u using (submission_id)"""
        ).fetchall()
    finally:
        con.close()


def test_a_correction_copied_with_an_older_file_time_is_said_not_to_count(tmp_path):
    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    _workbook(raw, "220281_蛟河市.xlsx", 1000, "2026-11-05 09:00")
    _workbook(raw, "220281_蛟河市_更正.xlsx", 1200, "2026-11-04 18:00")  # cp -p of an older copy
    report = ingest(raw, db, jobs=1)
    assert _in_force(db) == [("220281_蛟河市.xlsx", 1000.0)]
    assert report.decisions == [
        "in force for 2026-10 220281: 2026-10/220281_蛟河市.xlsx (received 2026-11-05 09:00); "
        "not 2026-10/220281_蛟河市_更正.xlsx (received 2026-11-04 18:00)"
    ]
    assert report.decisions[0] in report.summary()


def test_the_first_file_sent_again_after_the_correction_counts_again(tmp_path):
    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    first = _workbook(raw, "220281_蛟河市.xlsx", 1000, "2026-11-05 09:00")
    ingest(raw, db, jobs=1)
    _workbook(raw, "220281_蛟河市_更正.xlsx", 1200, "2026-11-06 09:00")
    report = ingest(raw, db, jobs=1)
    assert _in_force(db) == [("220281_蛟河市_更正.xlsx", 1200.0)]
    assert report.decisions == [
        "in force for 2026-10 220281: 2026-10/220281_蛟河市_更正.xlsx (received 2026-11-06 "
        "09:00); not 2026-10/220281_蛟河市.xlsx (received 2026-11-05 09:00)"
    ]
    # The county decides the first was right after all and sends it again.
    again = raw / FOLDER / "220281_蛟河市_再次报送.xlsx"
    again.write_bytes(first.read_bytes())
    ts = datetime.fromisoformat("2026-11-07 09:00").timestamp()
    os.utime(again, (ts, ts))
    report = ingest(raw, db, jobs=1)
    assert report.files_loaded == 0  # the same bytes are not read again...
    assert _in_force(db) == [("220281_蛟河市_再次报送.xlsx", 1000.0)]  # ...but count again
    assert report.decisions == [
        "in force for 2026-10 220281: 2026-10/220281_蛟河市_再次报送.xlsx (received 2026-11-07 "
        "09:00); not 2026-10/220281_蛟河市_更正.xlsx (received 2026-11-06 09:00)"
    ]
    # A night with nothing new decides nothing.
    assert ingest(raw, db, jobs=1).decisions == []
