"""The statistics bureau's monthly file: one row per region, amounts or only 增速."""

from __future__ import annotations

import pytest

from dagster_project.parse.submission import STATISTICS, parse_file

HEADER = [
    "地区",
    "固定资产投资本年累计（万元）",
    "上年同期（万元）",
    "增速（%）",
    "民间投资本年累计（万元）",
    "民间投资占比（%）",
]


@pytest.fixture
def bureau(xlsx, region_index):
    def parse(rows):
        path = xlsx(
            "统计局_固定资产投资.xlsx", {"Sheet1": [["2026年1-10月固定资产投资"], HEADER, *rows]}
        )
        parsed = parse_file(path.name, path.read_bytes(), STATISTICS, region_index)
        assert parsed.status == "loaded", parsed.reason
        (sheet,) = parsed.sheets
        return sheet

    return parse


def test_region_rows_are_read_with_growth_as_a_fraction(bureau):
    sheet = bureau([["蛟河市", 856000, 800000, 7.0, 513600, 60.0]])
    (row,) = sheet.rows
    assert row["region_code"] == "220281"
    assert (row["fai_ytd_wan"], row["fai_prev_ytd_wan"]) == (856000.0, 800000.0)
    assert row["fai_growth"] == pytest.approx(0.07)
    assert row["private_share"] == pytest.approx(0.60)


def test_withheld_absolutes_leave_only_the_growth(bureau):
    sheet = bureau([["桦甸市", "—", "—", "-3.5%", "—", "45.2%"]])
    (row,) = sheet.rows
    assert row["fai_ytd_wan"] is None and row["fai_prev_ytd_wan"] is None
    assert row["fai_growth"] == pytest.approx(-0.035)
    assert row["private_share"] == pytest.approx(0.452)


def test_aliases_name_development_zones(bureau):
    sheet = bureau([["高新区", 100, 90, 11.1, 60, 60]])
    assert sheet.rows[0]["region_code"] == "220271"


def test_city_total_row_is_recognised_and_unknown_region_quarantined(bureau):
    sheet = bureau(
        [["全市合计", 9000000, 8500000, 5.9, 5000000, 55.6], ["某某县", 1, 1, 0, 1, 100]]
    )
    assert sheet.rows == []
    assert [s["kind"] for s in sheet.structural] == ["total"]
    (q,) = sheet.quarantine
    assert (q["excel_row"], q["column"], q["value"]) == (4, "A", "某某县")
    assert "不在区划表中" in q["reason"]
    assert sheet.rows_read == 2
