"""Loading files into the raw schema: idempotency, supersede, atomicity, nothing lost."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.load import ingest
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx


def _workbook(
    path: Path, names: list[str], submitter="蛟河市发展和改革局", received=None, sheet="在建项目"
) -> Path:
    rows = [*title_rows(sheet, submitter), TEMPLATE_UNDER_CONSTRUCTION]
    for i, name in enumerate(names, 1):
        rows.append(
            [
                i,
                None,
                name,
                f"{name}公司",
                "某镇",
                8000,
                2000,
                500,
                "2024.3",
                "2024.4",
                "某局",
                "张三",
                "13912345678",
            ]
        )
    write_xlsx(path, {sheet: rows})
    if received:
        ts = datetime.fromisoformat(received).timestamp()
        os.utime(path, (ts, ts))
    return path


def _q(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def land(tmp_path):
    raw = tmp_path / "raw"
    return raw, tmp_path / "wh" / "warehouse.duckdb"


def test_same_file_twice_is_one_submission(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲", "乙"])
    first = ingest(raw, db)
    second = ingest(raw, db)
    assert (first.files_loaded, first.rows_loaded) == (1, 2)
    assert (second.files_loaded, second.files_unchanged, second.rows_loaded) == (0, 1, 0)
    assert _q(db, "select count(*) from raw.under_construction") == [(2,)]


def test_identical_bytes_under_another_name_are_one_submission(land):
    raw, db = land
    path = _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲"])
    (raw / "2024-10" / "220281_蛟河市(1).xlsx").write_bytes(path.read_bytes())
    report = ingest(raw, db)
    assert (report.files_seen, report.files_loaded, report.files_unchanged) == (2, 1, 1)
    assert _q(db, "select count(*) from raw.file_manifest") == [(1,)]


def test_identical_bytes_for_another_period_are_that_periods_submission(land):
    raw, db = land
    path = _workbook(
        raw / "2026-W41" / "220281_蛟河市_已开工未入统.xlsx", ["甲"], sheet="已开工未入统"
    )
    (raw / "2026-W42").mkdir()
    (raw / "2026-W42" / path.name).write_bytes(path.read_bytes())  # nothing changed that week
    report = ingest(raw, db)
    assert (report.files_loaded, report.files_unchanged) == (2, 0)
    weeks = _q(db, "select period_week, count(*) from raw.unstated group by 1 order by 1")
    assert [n for _, n in weeks] == [1, 1]


def test_resubmission_supersedes_the_earlier_one_and_history_is_kept(land):
    raw, db = land
    first = _workbook(
        raw / "2024-10" / "220281_蛟河市.xlsx", ["甲", "乙"], received="2024-11-05 09:00"
    )
    ingest(raw, db)
    second = _workbook(
        raw / "2024-10" / "220281_蛟河市_更正.xlsx", ["甲", "乙", "丙"], received="2024-11-06 10:00"
    )
    ingest(raw, db)
    ids = dict(_q(db, "select file_sha256, submission_id from raw.manifest"))
    old_id = ids[hashlib.sha256(first.read_bytes()).hexdigest()]
    new_id = ids[hashlib.sha256(second.read_bytes()).hexdigest()]
    manifest = dict(
        (sid, (eff, sup, by))
        for sid, eff, sup, by in _q(
            db, "select submission_id, is_effective, supersedes, superseded_by from raw.manifest"
        )
    )
    assert manifest[new_id] == (True, [old_id], None)
    assert manifest[old_id] == (False, None, new_id)
    assert _q(db, "select count(*) from raw.under_construction") == [(5,)]  # history stays
    effective = _q(
        db,
        """select count(*) from raw.under_construction u
           join raw.effective_submission_lists e
             on e.submission_id = u.submission_id and e.list_key = 'under_construction'""",
    )
    assert effective == [(3,)]


def test_equal_received_times_are_ordered_by_file_name(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市_a.xlsx", ["甲"], received="2024-11-05 09:00")
    later = _workbook(
        raw / "2024-10" / "220281_蛟河市_b.xlsx", ["甲", "乙"], received="2024-11-05 09:00"
    )
    ingest(raw, db)
    effective = _q(db, "select file_sha256 from raw.manifest where is_effective")
    assert effective == [(hashlib.sha256(later.read_bytes()).hexdigest(),)]


def test_rejected_file_is_recorded_and_does_not_stop_the_others(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲"])
    (raw / "2024-10" / "220282_桦甸市.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    (raw / "stray.xlsx").write_bytes(b"whatever")
    report = ingest(raw, db)
    assert (report.files_loaded, report.files_rejected) == (1, 2)
    reasons = dict(
        _q(db, "select original_path, reason from raw.file_manifest where status = 'rejected'")
    )
    assert "PDF" in reasons["2024-10/220282_桦甸市.xlsx"]
    assert "报送期目录" in reasons["stray.xlsx"]


def test_submitter_disagreeing_with_title_rows_is_rejected(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲"], submitter="桦甸市发展和改革局")
    report = ingest(raw, db)
    assert report.files_rejected == 1
    (reason,) = _q(db, "select reason from raw.file_manifest")[0]
    assert "蛟河市" in reason and "桦甸市" in reason and "不一致" in reason


def test_submitter_is_recognised_from_the_title_when_the_file_name_says_nothing(land):
    raw, db = land
    _workbook(raw / "2024-10" / "10月份报表.xlsx", ["甲"], submitter="北大湖新区")
    ingest(raw, db)
    assert _q(db, "select region_code from raw.file_manifest") == [("220274",)]


def test_reference_in_raw_replaces_the_demo_regions(land):
    raw, db = land
    (raw / "reference").mkdir(parents=True)
    (raw / "reference" / "regions.csv").write_text(
        "region_code,region_name,aliases,region_kind,rank_group,parent_code,contact_email\n"
        "990001,示范县,示范,县,县(市、区),990000,a@example.gov.cn\n",
        encoding="utf-8",
    )
    _workbook(raw / "2024-10" / "990001_示范县.xlsx", ["甲"], submitter="示范县")
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["乙"])
    report = ingest(raw, db)
    assert (report.files_loaded, report.files_rejected) == (1, 1)
    assert _q(db, "select region_code from raw.file_manifest where status = 'loaded'") == [
        ("990001",)
    ]


def test_rejected_file_is_tried_again_when_the_regions_change(land):
    raw, db = land
    _workbook(raw / "2024-10" / "990001_示范县.xlsx", ["甲"], submitter="示范县")
    assert ingest(raw, db).files_rejected == 1
    (raw / "reference").mkdir(parents=True)
    (raw / "reference" / "regions.csv").write_text(
        "region_code,region_name,aliases,region_kind,rank_group,parent_code,contact_email\n"
        "990001,示范县,,县,县(市、区),990000,\n",
        encoding="utf-8",
    )
    assert ingest(raw, db).files_loaded == 1
    assert _q(db, "select status, count(*) from raw.file_manifest group by 1") == [("loaded", 1)]


def test_pipeline_never_writes_into_raw(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲"])
    (raw / "2024-10" / "bad.xlsx").write_bytes(b"junk")

    def snapshot():
        return {
            p.relative_to(raw).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in raw.rglob("*")
            if p.is_file()
        }

    before = snapshot()
    ingest(raw, db)
    assert snapshot() == before


_CRASH_BEFORE_COMMIT = """
import os, sys
from pathlib import Path
import duckdb
from dagster_project.ingest import load

real_connect = duckdb.connect

class Crashing:
    def __init__(self, con):
        self.con = con
    def execute(self, sql, *args):
        if sql.strip().lower() == "commit":
            os._exit(9)  # the process dies with the transaction open
        return self.con.execute(sql, *args)
    def __getattr__(self, name):
        return getattr(self.con, name)

duckdb.connect = lambda *a, **k: Crashing(real_connect(*a, **k))
load.ingest(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_load_killed_before_commit_is_loaded_exactly_once_on_rerun(land):
    raw, db = land
    _workbook(raw / "2024-10" / "220281_蛟河市.xlsx", ["甲", "乙", "丙"])
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASH_BEFORE_COMMIT, str(raw), str(db)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
    )
    assert crashed.returncode == 9
    assert _q(db, "select count(*) from raw.file_manifest") == [(0,)]
    assert _q(db, "select count(*) from raw.under_construction") == [(0,)]
    report = ingest(raw, db)
    assert (report.files_loaded, report.rows_loaded) == (1, 3)
    ingest(raw, db)
    assert _q(db, "select count(*) from raw.under_construction") == [(3,)]
