"""Portal receipts: a file the portal wrote into raw/ is received when its receipt says and
is its account's region's, whatever its modification time and its name say — as long as
the receipt matches the file's bytes. Real workbooks, real receipts, a real warehouse."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.discover import discover
from dagster_project.ingest.load import ingest
from dagster_project.ingest.receipts import (
    RECEIPT_SUFFIX,
    Receipt,
    ReceiptInvalid,
    read_receipt,
    receipt_path,
    write_receipt,
)
from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY
from dagster_project.settings import BEIJING
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

FOLDER = "2026-10"
YONGJI, JIAOHE = ("220221", "永吉县"), ("220281", "蛟河市")


def _beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def _local_naive(when: datetime) -> datetime:
    """The manifest's clock: the instant as this machine's naive local time."""
    return datetime.fromtimestamp(when.timestamp())


def _workbook(raw: Path, name: str, ytd: int, title: str, mtime: str, folder=FOLDER) -> Path:
    """A county's 在建项目 sheet, 填报单位 `title`, modified at `mtime` (local time)."""
    row = [1, "2024-220221-48-01-000001", "永吉县项目1", "永吉县建设公司", "口前镇", 8000, 3000,
           ytd, "2026.3", "2026.4", "永吉县发改局", "李四", "13912345678"]  # fmt: skip
    path = write_xlsx(
        raw / folder / name,
        {"在建项目": [*title_rows("在建项目", title), TEMPLATE_UNDER_CONSTRUCTION, row]},
    )
    _touch(path, mtime)
    return path


def _touch(path: Path, when: str) -> None:
    ts = datetime.fromisoformat(when).timestamp()
    os.utime(path, (ts, ts))


def _receipt(file: Path, received: str, region=YONGJI[0], account="yongji", **over) -> Receipt:
    data = file.read_bytes()
    fields = dict(
        account=account,
        region_code=region,
        period=FOLDER,
        kind=COUNTY_MONTHLY,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        received_at=_beijing(received),
    )
    receipt = Receipt(**(fields | over))
    write_receipt(file, receipt)
    return receipt


def _portal(raw, name, ytd, received, mtime, title=YONGJI[1], **over) -> tuple[Path, Receipt]:
    path = _workbook(raw, name, ytd, title, mtime)
    return path, _receipt(path, received, **over)


def _q(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _in_force(db: Path) -> list[tuple]:
    return _q(
        db,
        """select f.file_name, u.ytd_completed_wan from raw.effective_submission_lists e
           join raw.file_manifest f using (submission_id)
           join raw.under_construction u using (submission_id)""",
    )


def _manifest(db: Path) -> dict[str, tuple]:
    rows = _q(
        db,
        """select file_name, region_code, received_at, submitted_by, status, reason
           from raw.file_manifest""",
    )
    return {name: tuple(rest) for name, *rest in rows}


@pytest.fixture
def land(tmp_path):
    return tmp_path / "raw", tmp_path / "warehouse.duckdb"


# -- the receipt file ---------------------------------------------------------------------


def test_a_receipt_is_written_atomically_and_read_back(tmp_path):
    file = tmp_path / FOLDER / "220221_永吉县_20261102T093015_3fa2b1c4.xlsx"
    file.parent.mkdir()
    receipt = Receipt(
        account="yongji",
        region_code="220221",
        period="2026-W44",
        kind=COUNTY_WEEKLY,
        sha256="0" * 64,
        size=123,
        received_at=datetime(2026, 11, 2, 1, 30, 15, tzinfo=UTC),
    )
    assert receipt.received_at.tzinfo is BEIJING  # the same instant, in Beijing time
    assert receipt.received_at.hour == 9
    written = write_receipt(file, receipt)  # before the file itself, as the portal does
    assert written == receipt_path(file) == file.with_name(file.name + RECEIPT_SUFFIX)
    assert [p.name for p in file.parent.iterdir()] == [written.name]  # no temporary left
    text = written.read_text(encoding="utf-8")
    assert json.loads(text) == {
        "format": 1,
        "account": "yongji",
        "region_code": "220221",
        "period": "2026-W44",
        "kind": "county_weekly",
        "sha256": "0" * 64,
        "size": 123,
        "received_at": "2026-11-02T09:30:15+08:00",
    }
    assert read_receipt(file) == receipt
    assert read_receipt(tmp_path / FOLDER / "other.xlsx") is None


def test_a_receipt_needs_the_time_with_its_offset():
    with pytest.raises(ValueError, match="offset"):
        Receipt("yongji", "220221", FOLDER, COUNTY_MONTHLY, "0" * 64, 1, datetime(2026, 11, 2))
    with pytest.raises(ValueError, match="period"):
        Receipt("yongji", "220221", "2026-W44", COUNTY_MONTHLY, "0" * 64, 1, _beijing("2026-11-02"))


_NAIVE_TIME = {"format": 1, "account": "yongji", "region_code": "220221", "period": FOLDER,
               "kind": COUNTY_MONTHLY, "sha256": "0" * 64, "size": 1,
               "received_at": "2026-11-02T09:30:15"}  # fmt: skip


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not readable as UTF-8 JSON"),
        (b"\xff\xfe", "not readable as UTF-8 JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"account": "yongji"}', "unknown format"),
        (b'{"format": 1, "account": "yongji", "region_code": "220221"}', "missing period"),
        (json.dumps(_NAIVE_TIME).encode(), "offset"),
    ],
)
def test_an_invalid_receipt_is_an_error_naming_the_receipt(tmp_path, content, problem):
    file = tmp_path / "220221_永吉县.xlsx"
    receipt_path(file).write_bytes(content)
    with pytest.raises(ReceiptInvalid, match=problem) as caught:
        read_receipt(file)
    assert str(receipt_path(file)) in str(caught.value)


# -- received time and supersession -------------------------------------------------------


def test_the_receipts_time_decides_which_file_counts_not_the_file_time(land):
    raw, db = land
    # A's file time is later, but the portal received B later: B counts.
    _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-02 09:00", mtime="2026-11-09 12:00")
    _b, b = _portal(raw, "220221_永吉县_B.xlsx", 1200, "2026-11-03 09:00", mtime="2026-11-04 12:00")
    report = ingest(raw, db, jobs=1)
    assert (report.files_loaded, report.files_rejected, report.warnings) == (2, 0, [])
    assert _in_force(db) == [("220221_永吉县_B.xlsx", 1200.0)]
    manifest = _manifest(db)
    assert manifest["220221_永吉县_B.xlsx"][1] == _local_naive(b.received_at)
    assert manifest["220221_永吉县_A.xlsx"][1] == _local_naive(_beijing("2026-11-02 09:00"))
    a_time = _local_naive(_beijing("2026-11-02 09:00"))
    b_time = _local_naive(b.received_at)
    assert report.decisions == [
        f"in force for {FOLDER} 220221: {FOLDER}/220221_永吉县_B.xlsx (received "
        f"{b_time:%Y-%m-%d %H:%M}); not {FOLDER}/220221_永吉县_A.xlsx (received "
        f"{a_time:%Y-%m-%d %H:%M})"
    ]
    (superseded_by,) = _q(
        db, "select superseded_by from raw.manifest where file_name = '220221_永吉县_A.xlsx'"
    )[0]
    assert (
        superseded_by
        == _q(
            db,
            "select submission_id from raw.file_manifest where file_name = '220221_永吉县_B.xlsx'",
        )[0][0]
    )


def test_portal_and_hand_dropped_files_are_ordered_on_one_clock(land):
    raw, db = land
    # The portal received this at 10:00 Beijing time; the clerk's copy lands an hour later.
    _portal(raw, "220221_永吉县_20261102T100000_aaaa.xlsx", 1000, "2026-11-02 10:00",
            mtime="2026-11-01 08:00")  # fmt: skip
    portal = _local_naive(_beijing("2026-11-02 10:00"))
    by_hand = _workbook(raw, "220221_永吉县_更正.xlsx", 1500, YONGJI[1], "2000-01-01 00:00")
    later = (portal + timedelta(hours=1)).timestamp()
    os.utime(by_hand, (later, later))
    ingest(raw, db, jobs=1)
    assert _in_force(db) == [("220221_永吉县_更正.xlsx", 1500.0)]
    # ...and a hand-dropped copy an hour before the portal's receipt does not count.
    earlier = (portal - timedelta(hours=1)).timestamp()
    os.utime(by_hand, (earlier, earlier))
    db2 = db.with_name("second.duckdb")
    ingest(raw, db2, jobs=1)
    assert _in_force(db2) == [("220221_永吉县_20261102T100000_aaaa.xlsx", 1000.0)]


def test_a_copy_that_touches_file_times_does_not_change_which_portal_file_counts(land):
    raw, db = land
    a, _ = _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-02 09:00", mtime="2026-11-02 09:00")
    _portal(raw, "220221_永吉县_B.xlsx", 1200, "2026-11-03 09:00", mtime="2026-11-03 09:00")
    ingest(raw, db, jobs=1)
    assert _in_force(db) == [("220221_永吉县_B.xlsx", 1200.0)]
    _touch(a, "2026-11-20 09:00")  # cp without -p over the old file: a new file time
    report = ingest(raw, db, jobs=1)
    assert (report.files_loaded, report.decisions) == (0, [])
    assert _in_force(db) == [("220221_永吉县_B.xlsx", 1200.0)]
    # raw/ copied elsewhere without keeping times (cp -r), A last: a rebuild agrees.
    copy = raw.with_name("raw-copy")
    shutil.copytree(raw, copy, copy_function=shutil.copy)
    _touch(copy / FOLDER / a.name, "2026-12-01 09:00")
    rebuilt = db.with_name("rebuilt.duckdb")
    ingest(copy, rebuilt, jobs=1)
    assert _in_force(rebuilt) == [("220221_永吉县_B.xlsx", 1200.0)]


# -- submitted_by -------------------------------------------------------------------------


def test_the_portal_account_is_recorded_and_null_for_a_file_dropped_by_hand(land):
    raw, db = land
    _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-02 09:00", mtime="2026-11-02 09:00")
    _workbook(raw, "220281_蛟河市.xlsx", 900, JIAOHE[1], "2026-11-03 09:00")
    ingest(raw, db, jobs=2)  # through the worker processes
    manifest = _manifest(db)
    assert manifest["220221_永吉县_A.xlsx"][:3] == (
        "220221",
        _local_naive(_beijing("2026-11-02 09:00")),
        "yongji",
    )
    assert manifest["220281_蛟河市.xlsx"][:3] == (
        "220281",
        datetime.fromisoformat("2026-11-03 09:00"),
        None,
    )
    assert _q(db, "select submitted_by from raw.manifest where file_name like '220221%'") == [
        ("yongji",)
    ]


def test_a_warehouse_made_before_receipts_gets_the_column(land):
    raw, db = land
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    con.execute("create table raw.file_manifest (submission_id varchar primary key)")
    con.close()
    _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-02 09:00", mtime="2026-11-02 09:00")
    ingest(raw, db, jobs=1)
    assert _q(db, "select submitted_by from raw.file_manifest") == [("yongji",)]


# -- receipts that are not trusted --------------------------------------------------------


def test_a_receipt_not_matching_the_files_bytes_is_not_trusted_and_said(land):
    raw, db = land
    path, _ = _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-20 09:00", "2026-11-02 09:00")
    # The file replaced by hand with other bytes of the same size, its receipt left.
    receipt = json.loads(receipt_path(path).read_text(encoding="utf-8"))
    receipt["sha256"] = "f" * 64
    receipt_path(path).write_text(json.dumps(receipt), encoding="utf-8")
    report = ingest(raw, db, jobs=1)
    assert report.files_loaded == 1
    region, received, submitted_by, *_ = _manifest(db)["220221_永吉县_A.xlsx"]
    assert (region, received, submitted_by) == (
        "220221",  # from the name and title rows, as for a hand-dropped file
        datetime.fromisoformat("2026-11-02 09:00"),  # the file time
        None,
    )
    (warning,) = report.warnings
    assert f"{FOLDER}/220221_永吉县_A.xlsx{RECEIPT_SUFFIX}" in warning
    assert f"for {FOLDER}/220221_永吉县_A.xlsx:" in warning
    assert "sha256" in warning
    assert f"warning: {warning}" in report.summary()


@pytest.mark.parametrize(
    ("over", "said"),
    [
        ({"size": 1}, "bytes"),
        ({"period": "2026-09"}, "county_monthly 2026-09, the file lies in county_monthly 2026-10"),
        ({"kind": COUNTY_WEEKLY, "period": "2026-W44"}, "county_weekly 2026-W44"),
    ],
)
def test_a_receipt_for_another_size_period_or_kind_is_not_trusted(land, over, said):
    raw, db = land
    _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-20 09:00", "2026-11-02 09:00", **over)
    report = ingest(raw, db, jobs=1)
    assert _manifest(db)["220221_永吉县_A.xlsx"][1:3] == (
        datetime.fromisoformat("2026-11-02 09:00"),
        None,
    )
    (warning,) = report.warnings
    assert said in warning


def test_an_invalid_receipt_is_not_trusted_and_said(land):
    raw, db = land
    path = _workbook(raw, "220221_永吉县_A.xlsx", 1000, YONGJI[1], "2026-11-02 09:00")
    receipt_path(path).write_text("{", encoding="utf-8")
    report = ingest(raw, db, jobs=1)
    assert (report.files_seen, report.files_loaded, report.files_rejected) == (1, 1, 0)
    (warning,) = report.warnings
    assert "not readable as UTF-8 JSON" in warning and path.name in warning


def test_a_weekly_receipt_in_its_week_folder_is_trusted(tmp_path):
    raw = tmp_path / "raw"
    file = raw / "2026-W44" / "220221_永吉县_20261028T080000_1a2b.xlsx"
    file.parent.mkdir(parents=True)
    file.write_bytes(b"weekly list bytes")
    _touch(file, "2026-12-01 00:00")
    receipt = _receipt(file, "2026-10-28 08:00", kind=COUNTY_WEEKLY, period="2026-W44")
    (cand,) = discover(raw)
    assert (cand.kind, cand.receipt, cand.receipt_warning) == (COUNTY_WEEKLY, receipt, None)
    assert cand.received_at == _local_naive(receipt.received_at)
    assert (cand.submitted_by, cand.submitter) == ("yongji", "220221")


# -- the submitter ------------------------------------------------------------------------


def test_the_receipts_region_is_the_submitter_whatever_the_file_name_says(land):
    raw, db = land
    # Without its receipt this file would be refused (name 蛟河市, title rows 永吉县).
    _portal(raw, "220281_蛟河市_20261102T093015_3fa2b1c4.xlsx", 1000, "2026-11-02 09:30",
            mtime="2026-11-02 09:30")  # fmt: skip
    report = ingest(raw, db, jobs=1)
    assert (report.files_loaded, report.files_rejected) == (1, 0)
    assert _q(db, "select region_code, submitted_by from raw.file_manifest") == [
        ("220221", "yongji")
    ]
    assert _q(db, "select distinct region_code from raw.under_construction") == [("220221",)]


def test_title_rows_naming_another_unit_than_the_account_refuse_the_file(land):
    raw, db = land
    _portal(raw, "220221_永吉县_20261102T093015_3fa2b1c4.xlsx", 1000, "2026-11-02 09:30",
            mtime="2026-11-02 09:30", title=JIAOHE[1])  # fmt: skip
    report = ingest(raw, db, jobs=1)
    assert (report.files_loaded, report.files_rejected) == (0, 1)
    region, _received, submitted_by, status, reason = _manifest(db)[
        "220221_永吉县_20261102T093015_3fa2b1c4.xlsx"
    ]
    assert (region, submitted_by, status) == ("220221", "yongji", "rejected")
    assert "报送账号所属单位为永吉县" in reason and "“填报单位”为蛟河市" in reason
    assert reason.endswith("[submitter differs from the portal account]")
    assert _q(db, "select count(*) from raw.under_construction") == [(0,)]


def test_an_account_region_not_in_the_regions_reference_refuses_the_file(land):
    raw, db = land
    _portal(raw, "229999_某县_20261102T093015_3fa2b1c4.xlsx", 1000, "2026-11-02 09:30",
            mtime="2026-11-02 09:30", region="229999")  # fmt: skip
    report = ingest(raw, db, jobs=1)
    ((_path, reason),) = report.rejected
    assert "229999" in reason
    assert reason.endswith("[portal account's region not in the regions reference]")


# -- receipts are not submissions ---------------------------------------------------------


def test_a_receipt_is_never_a_submission_and_an_orphan_receipt_is_harmless(land):
    raw, db = land
    _portal(raw, "220221_永吉县_A.xlsx", 1000, "2026-11-02 09:00", mtime="2026-11-02 09:00")
    # The portal wrote this receipt and has not written its file yet.
    orphan = raw / FOLDER / "220221_永吉县_20261102T093500_ffff.xlsx"
    write_receipt(
        orphan,
        Receipt("yongji", "220221", FOLDER, COUNTY_MONTHLY, "0" * 64, 10, _beijing("2026-11-02")),
    )
    # A stray receipt outside any period folder too.
    write_receipt(raw / "x.xlsx", Receipt("yongji", "220221", FOLDER, COUNTY_MONTHLY, "0" * 64,
                                          10, _beijing("2026-11-02")))  # fmt: skip
    assert [c.name for c in discover(raw)] == ["220221_永吉县_A.xlsx"]
    report = ingest(raw, db, jobs=1)
    assert (report.files_seen, report.files_loaded, report.files_rejected) == (1, 1, 0)
    assert (report.warnings, report.rejected) == ([], [])
    assert _q(db, "select original_path from raw.file_manifest") == [
        (f"{FOLDER}/220221_永吉县_A.xlsx",)
    ]
    assert _q(
        db, f"select count(*) from raw.file_manifest where file_name like '%{RECEIPT_SUFFIX}'"
    ) == [(0,)]
