"""`xmk reread`: a month's files are taken out of the warehouse, and the next ingestion
reads them again — the same rows, nothing of the other months touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from dagster_project.ingest.load import ingest
from tests.dbt.city import build_city

XMK = Path(sys.executable).parent / "xmk"
COUNTS = """select period_month, count(*), sum(rows_loaded) from raw.file_manifest
            where status = 'loaded' and period_month is not null group by 1 order by 1"""


def _counts(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(COUNTS).fetchall()
    finally:
        con.close()


def test_a_reread_month_is_read_again_and_the_others_stay(tmp_path):
    raw, db = tmp_path / "raw", tmp_path / "warehouse" / "warehouse.duckdb"
    build_city(raw)
    ingest(raw, db, jobs=1)
    before = _counts(db)
    months = [month for month, _files, _rows in before]
    assert len(months) >= 2
    latest = months[-1]

    done = subprocess.run(
        [str(XMK), "reread", "--period", f"{latest:%Y-%m}", "--warehouse", str(db.parent)],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    files_of_latest = before[-1][1]
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"forgot {files_of_latest} files of {latest:%Y-%m}; the next `{XMK} run` reads them again\n"
    )
    assert _counts(db) == before[:-1]
    con = duckdb.connect(str(db), read_only=True)
    try:
        left = con.execute(
            """select count(*) from raw.under_construction where period_month = ?""", [latest]
        ).fetchone()
    finally:
        con.close()
    assert left == (0,)

    again = ingest(raw, db, jobs=1)
    assert again.files_loaded == files_of_latest
    assert _counts(db) == before
