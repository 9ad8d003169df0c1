"""Checks on the statistics bureau's file (SPEC §4), on real files: YTD must grow within a
year, a given 增速 must agree with the absolutes, every region must be there."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from openpyxl import Workbook

from dagster_project.ingest.load import ingest
from dagster_project.quality.statistics_file import statistics_failures

HEADER = ["地区", "固定资产投资本年累计(万元)", "上年同期(万元)", "增速(%)"]
REGIONS = """region_code,region_name,aliases,region_kind,rank_group,parent_code,contact_email
229902,江北区,,区,县(市、区),229900,
229921,青山县,,县,县(市、区),229900,
229922,柳河县,,县,县(市、区),229900,
"""


def _bureau(raw, month: date, rows):
    wb = Workbook()
    ws = wb.active
    ws.append([f"{month.year}年1-{month.month}月固定资产投资"])
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    path = raw / f"{month:%Y-%m}" / "统计局_固定资产投资.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


@pytest.fixture(scope="module")
def failures(tmp_path_factory):
    raw = tmp_path_factory.mktemp("bureau") / "raw"
    (raw / "reference").mkdir(parents=True)
    (raw / "reference" / "regions.csv").write_text(REGIONS, encoding="utf-8")
    _bureau(raw, date(2026, 8, 1), [("江北区", 40000, 38000, 5.3), ("青山县", 30000, 29000, 3.4),
                                    ("柳河县", 10000, 9000, 11.1)])  # fmt: skip
    _bureau(raw, date(2026, 9, 1), [("江北区", 40000, 39000, 2.6), ("青山县", 33000, 30000, 10.0),
                                    ("柳河县", 11000, 10000, 20.0)])  # fmt: skip
    # January restarts the year: 1月 below 12月 is no fall. 柳河县 is left out.
    _bureau(raw, date(2027, 1, 1), [("江北区", 2000, 1900, 5.3), ("青山县", 1500, 1400, 7.1)])
    db = raw.parent / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        yield statistics_failures(con)
    finally:
        con.close()


def _found(failures, rule):
    return sorted((f.period_month, f.region_code, f.value) for f in failures if f.rule == rule)


def test_a_flat_ytd_warns_the_project_centre(failures):
    assert _found(failures, "statistics_ytd_not_growing") == [(date(2026, 9, 1), "229902", "40000")]
    (f,) = [f for f in failures if f.rule == "statistics_ytd_not_growing"]
    assert f.severity == "warn" and "较2026年8月的40000万元持平" in f.hint
    assert f.source_file == "2026-09/统计局_固定资产投资.xlsx" and f.excel_row == 3


def test_a_growth_that_disagrees_with_the_absolutes_warns(failures):
    # 11000 / 10000 − 1 = 10.0 %, not 20.0 %; 青山县 33000 / 30000 − 1 = 10.0 % agrees.
    found = _found(failures, "statistics_growth_mismatch")
    assert found == [(date(2026, 9, 1), "229922", "20.0")]  # the value as typed


def test_a_region_missing_from_the_file_warns(failures):
    assert _found(failures, "statistics_region_missing") == [(date(2027, 1, 1), "229922", "柳河县")]


def test_nothing_else_is_found(failures):
    assert len(failures) == 3
