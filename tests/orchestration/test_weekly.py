"""The weekly 已开工未入统 调度 lists, one workbook per county."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from dagster_project.assets.weekly import unstated_dispatch_lists
from dagster_project.publish.render.labels import parse_week, week_label
from dagster_project.publish.weekly_list import (
    FILE_SUFFIX,
    HEADER_ROW,
    PAGE_SUFFIX,
    RegionList,
    write_region_list,
    write_week,
)
from dagster_project.resources import XmkSettings

W43 = date(2026, 10, 19)  # Monday of ISO week 43


def a_row(**overrides) -> dict:
    row = {
        "project_code": "2026-220281-48-01-000002",
        "project_name": "A2项目",
        "project_owner": "项目公司2",
        "responsible_person": "责任人2",
        "total_investment_wan": 6000.0,
        "ytd_completed_wan": 400.0,
        "actual_start_month": date(2026, 5, 1),
        "weeks_since_start": 25,
        "expected_stats_month": date(2026, 7, 1),
        "is_past_expected_entry": True,
        "unstated_reason": "入库资料正在准备",
    }
    return row | overrides


def test_weeks_are_named_as_iso_weeks():
    assert week_label(W43) == "2026-W43"
    assert parse_week("2026-W43") == W43
    assert week_label(date(2027, 1, 4)) == "2027-W01"


def test_a_county_list_shows_its_projects_with_the_late_ones_marked(tmp_path):
    path = tmp_path / "list.xlsx"
    write_region_list(path, RegionList("220281", "蛟河市", W43, [a_row()]))
    ws = load_workbook(path).active
    assert (
        ws["A1"].value == "蛟河市已开工未入统项目调度清单（2026年第43周，2026-10-19至2026-10-25）"
    )
    assert "共1个项目" in ws["A2"].value and "其中1个已过预计入统月份" in ws["A2"].value
    headers = [c.value for c in ws[4]]
    assert headers[:3] == ["序号", "项目代码", "项目名称"]
    row = dict(zip(headers, [c.value for c in ws[5]], strict=True))
    assert row["项目名称"] == "A2项目"
    assert row["实际开工月份"] == "2026年5月"
    assert row["预计入统月份"] == "2026年7月"
    assert row["是否已过预计入统月份"] == "是"
    assert row["总投资（万元）"] == 6000
    assert ws["C5"].fill.fgColor.rgb == "FFFFE4E4"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = tmp_path / "list.xlsx"
    write_region_list(
        path, RegionList("220281", "蛟河市", W43, [a_row(project_name="=HYPERLINK(1)")])
    )
    cell = load_workbook(path).active["C5"]
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_a_list_no_longer_due_is_removed_from_the_week(tmp_path):
    lists = [
        RegionList("220281", "蛟河市", W43, [a_row()]),
        RegionList("220282", "桦甸市", W43, [a_row(project_name="B项目")]),
    ]
    write_week(tmp_path, W43, lists)
    folder = tmp_path / "weekly" / "2026-W43"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"220281_蛟河市{PAGE_SUFFIX}",
        f"220281_蛟河市{FILE_SUFFIX}",
        f"220282_桦甸市{PAGE_SUFFIX}",
        f"220282_桦甸市{FILE_SUFFIX}",
    ]
    write_week(tmp_path, W43, lists[:1])  # 桦甸市's corrected return: all in statistics
    assert sorted(p.name for p in folder.iterdir()) == [
        f"220281_蛟河市{PAGE_SUFFIX}",
        f"220281_蛟河市{FILE_SUFFIX}",
    ]


def test_the_page_holds_the_workbooks_rows_escaped(tmp_path):
    hostile = "<script>alert(1)</script>项目"
    region_list = RegionList(
        "220281",
        "蛟河市",
        W43,
        [a_row(project_name=hostile), a_row(project_name="B项目", is_past_expected_entry=False)],
    )
    (workbook,) = write_week(tmp_path, W43, [region_list])
    page = workbook.with_name(f"220281_蛟河市{PAGE_SUFFIX}").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;项目" in page
    ws = load_workbook(workbook).active
    names = [ws.cell(r, 3).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert names == [hostile, "B项目"]
    assert page.index("&lt;script&gt;") < page.index("B项目")
    assert page.count('<tr class="late">') == 1


@pytest.fixture
def warehouse_with_a_week(tmp_path):
    db = tmp_path / "warehouse" / "warehouse.duckdb"
    db.parent.mkdir()
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute("create table marts.dim_region (region_code varchar, region_name varchar)")
    con.execute("insert into marts.dim_region values ('220281', '蛟河市'), ('220282', '桦甸市')")
    columns = ", ".join(f"{k}" for k in a_row())
    con.execute(
        f"""create table marts.fct_unstated_weekly as
            select * from (values
              ('220281', date '2026-10-19', false, {_values(a_row())}),
              ('220281', date '2026-10-19', true, {_values(a_row(project_name="已入统"))}),
              ('220282', date '2026-10-12', false, {_values(a_row(project_name="上周"))})
            ) as t(region_code, period_week, is_entered, {columns})"""
    )
    con.close()
    return tmp_path


def _values(row: dict) -> str:
    def sql(v):
        if isinstance(v, date):
            return f"date '{v}'"
        if isinstance(v, str):
            return f"'{v}'"
        return str(v).lower() if isinstance(v, bool) else str(v)

    return ", ".join(sql(v) for v in row.values())


def test_the_asset_writes_the_latest_week_for_each_county_with_projects_not_in_statistics(
    warehouse_with_a_week,
):
    root = warehouse_with_a_week
    settings = XmkSettings(
        raw_dir=str(root / "raw"), warehouse_dir=str(root / "warehouse"), out_dir=str(root / "out")
    )
    result = dg.materialize([unstated_dispatch_lists], resources={"settings": settings})
    assert result.success
    files = sorted((root / "out" / "weekly").rglob("*.xlsx"))
    assert [f.relative_to(root / "out").as_posix() for f in files] == [
        f"weekly/2026-W43/220281_蛟河市{FILE_SUFFIX}"
    ]
    names = [c.value for c in load_workbook(files[0]).active["C"][4:]]
    assert names == ["A2项目"]  # the project already in the statistics is not chased
    metadata = result.asset_materializations_for_node("weekly__unstated_dispatch_lists")[0].metadata
    assert metadata["week"].value == "2026-W43"
    assert metadata["projects"].value == 1


def test_an_earlier_week_can_be_asked_for(warehouse_with_a_week):
    root = warehouse_with_a_week
    settings = XmkSettings(
        raw_dir=str(root / "raw"), warehouse_dir=str(root / "warehouse"), out_dir=str(root / "out")
    )
    result = dg.materialize(
        [unstated_dispatch_lists],
        resources={"settings": settings},
        run_config={"ops": {"weekly__unstated_dispatch_lists": {"config": {"week": "2026-W42"}}}},
    )
    assert result.success
    assert sorted(p.name for p in (root / "out" / "weekly" / "2026-W42").iterdir()) == [
        f"220282_桦甸市{PAGE_SUFFIX}",
        f"220282_桦甸市{FILE_SUFFIX}",
    ]
