"""The raw/ sensor on a real landing folder: new files start exactly one run, the same
files never start another, a changed file starts a new one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.orchestration.raw_changes import SETTLE_SECONDS, decode_cursor
from dagster_project.resources import XmkSettings
from dagster_project.sensors import raw_files_sensor

AN_HOUR_AGO = time.time() - 3600


def land(raw: Path, rel: str, data: bytes, when: float = AN_HOUR_AGO) -> Path:
    """A file as a county's upload leaves it: its bytes, received at `when`."""
    path = raw / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when, when))
    return path


def tick(raw: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"settings": XmkSettings(raw_dir=str(raw))}
    )
    return raw_files_sensor.evaluate_tick(context)


@pytest.fixture
def raw(tmp_path) -> Path:
    raw = tmp_path / "raw"
    land(raw, "2026-10/220281_蛟河市.xlsx", b"jiaohe october")
    land(raw, "2026-10/统计局_固定资产投资.xlsx", b"bureau october")
    return raw


def test_new_files_request_exactly_one_run(raw):
    result = tick(raw, None)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.run_key.startswith("raw-")
    assert request.tags["xmk/raw_folders"] == "2026-10"
    assert set(decode_cursor(result.cursor)) == {"2026-10"}


def test_the_same_files_again_request_nothing(raw):
    first = tick(raw, None)
    again = tick(raw, first.cursor)
    assert again.run_requests == []
    assert again.skip_message == "nothing new in raw/"


def test_a_changed_file_requests_one_new_run(raw):
    first = tick(raw, None)
    land(raw, "2026-10/220281_蛟河市.xlsx", b"jiaohe october, corrected")
    second = tick(raw, first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert tick(raw, second.cursor).run_requests == []


def test_a_new_folder_requests_a_run_for_that_folder_only(raw):
    first = tick(raw, None)
    land(raw, "2026-W44/220281_蛟河市_已开工未入统.xlsx", b"weekly")
    second = tick(raw, first.cursor)
    assert [r.tags["xmk/raw_folders"] for r in second.run_requests] == ["2026-W44"]


def test_a_file_touched_or_renamed_without_new_bytes_requests_nothing(raw):
    first = tick(raw, None)
    path = raw / "2026-10/220281_蛟河市.xlsx"
    os.utime(path, (AN_HOUR_AGO + 60, AN_HOUR_AGO + 60))
    path.rename(path.with_name("220281_蛟河市（重发）.xlsx"))
    second = tick(raw, first.cursor)
    assert second.run_requests == []
    # …and the cursor follows, so the folder is not read again on the next tick.
    assert second.cursor != first.cursor


def test_the_same_content_gives_the_same_run_key_whatever_the_cursor(raw):
    """Dagster skips a run key it has seen: a lost or reset cursor starts no second run
    for files already requested."""
    assert tick(raw, None).run_requests[0].run_key == tick(raw, "").run_requests[0].run_key


def test_a_file_still_being_copied_waits_for_the_next_tick(raw):
    first = tick(raw, None)
    copying = land(raw, "2026-10/220282_桦甸市.xlsx", b"half a workbo", when=time.time())
    assert tick(raw, first.cursor).run_requests == []
    settled = time.time() - SETTLE_SECONDS - 1
    os.utime(copying, (settled, settled))
    assert len(tick(raw, first.cursor).run_requests) == 1


def test_lock_files_and_readmes_are_not_submissions(raw):
    first = tick(raw, None)
    land(raw, "2026-10/~$220281_蛟河市.xlsx", b"excel lock")
    land(raw, "2026-10/.sync-tmp", b"hidden")
    land(raw, "README.md", b"notes")
    assert tick(raw, first.cursor).run_requests == []


def test_a_new_regions_reference_requests_a_run(raw):
    """Rejected files are retried when the regions reference changes (a county added)."""
    first = tick(raw, None)
    land(raw, "reference/regions.csv", b"region_code,region_name\n")
    assert [r.tags["xmk/raw_folders"] for r in tick(raw, first.cursor).run_requests] == [
        "reference"
    ]


def test_no_landing_folder_is_a_skip_not_an_error(tmp_path):
    result = tick(tmp_path / "missing", None)
    assert result.run_requests == []
    assert "no landing folder" in result.skip_message
