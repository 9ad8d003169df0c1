"""Byte-stable workbooks: no wall-clock time leaks into the file."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime

from openpyxl import Workbook

from dagster_project.demo.periods import SHANGHAI
from dagster_project.demo.stable_files import ZIP_ENTRY_TIME, workbook_bytes, write_if_changed

RECEIVED = datetime(2026, 11, 5, 10, 30, tzinfo=SHANGHAI)


def _workbook() -> Workbook:
    wb = Workbook()
    wb.active.append(["项目名称", "总投资（万元）"])
    wb.active.append(["蛟河市污水处理厂提标改造工程", 12000])
    return wb


def test_same_workbook_gives_same_bytes_a_day_later(monkeypatch):
    first = workbook_bytes(_workbook(), RECEIVED)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 86400)  # what zip entries would stamp
    assert workbook_bytes(_workbook(), RECEIVED) == first


def test_zip_entries_and_document_properties_carry_no_wall_clock_time():
    data = workbook_bytes(_workbook(), RECEIVED)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_ENTRY_TIME}
        core = archive.read("docProps/core.xml").decode()
    assert "2026-11-05T02:30:00Z" in core  # the received time, in UTC


def test_unchanged_bytes_are_not_rewritten_but_get_the_received_time(tmp_path):
    path = tmp_path / "2026-10" / "220281_蛟河市.xlsx"
    data = workbook_bytes(_workbook(), RECEIVED)
    assert write_if_changed(path, data, RECEIVED) is True
    assert write_if_changed(path, data, RECEIVED) is False
    assert path.stat().st_mtime == RECEIVED.timestamp()
    assert not list(path.parent.glob(".*.tmp"))
