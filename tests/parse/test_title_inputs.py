"""Title rows whose labels and values sit in separate cells (填报单位： | 蛟河市), as the
official template's input cells and many county forms have them."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from dagster_project.ingest.reference import load_regions
from dagster_project.parse.grid import Grid, read_grids
from dagster_project.parse.guards import inspect_file
from dagster_project.parse.headers import find_header
from dagster_project.parse.period import months_in_titles
from dagster_project.parse.submitter import RegionIndex

HEADER = ["序号", "项目名称", "项目法人", "总投资（万元）", "年度计划投资", "1-9月累计完成投资"]


def _grid(info_row: list, merges: tuple[str, ...] = ()) -> Grid:
    wb = Workbook()
    ws = wb.active
    ws.title = "在建项目"
    ws.append(["附件1  在建项目清单"])
    ws.append(info_row)
    ws.append(HEADER)
    ws.append([1, "甲项目", "甲公司", 100, 50, 20])
    ws.merge_cells("A1:F1")
    for rng in merges:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    return read_grids("t.xlsx", data, inspect_file("t.xlsx", data))[0]


def _regions() -> RegionIndex:
    return RegionIndex(load_regions(Path("/nonexistent"))[0])


def test_a_label_cell_takes_the_value_in_the_cell_right_of_it():
    grid = _grid(["填报单位：", "蛟河市发展和改革局", None, "报送月份：", "2026年9月"])
    header = find_header(grid)
    assert header.first_row == 2
    assert header.title_lines == [
        "附件1 在建项目清单",
        "填报单位：蛟河市发展和改革局",
        "报送月份：2026年9月",
    ]
    assert _regions().from_title(header.title_lines) == {"220281"}
    assert months_in_titles(header.title_lines) == {(2026, 9)}


def test_a_date_beside_its_label_names_its_month():
    grid = _grid(["报送月份：", datetime(2026, 9, 1), "填报日期：", datetime(2026, 10, 5)])
    lines = find_header(grid).title_lines
    assert lines[1:] == ["报送月份：2026年9月", "填报日期：2026年10月5日"]
    assert months_in_titles(lines) == {(2026, 9)}  # the filling-in date is not the period


def test_merged_input_boxes_right_above_the_header_stay_title_rows():
    """Merged 填报单位 / 报送月份 boxes directly above the header are not parent headers
    over its columns."""
    grid = _grid(
        ["填报单位：", None, "舒兰市", None, "报送月份：", date(2026, 9, 1)],
        ("A2:B2", "C2:D2"),
    )
    header = find_header(grid)
    assert header.first_row == 2
    assert [c.label for c in header.columns] == HEADER
    assert "填报单位：舒兰市" in header.title_lines
    assert _regions().from_title(header.title_lines) == {"220283"}


def test_an_empty_input_box_joins_nothing():
    grid = _grid(["填报单位：", None, "报送月份：", None, None, "单位：万元"])
    assert find_header(grid).title_lines[1:] == ["填报单位：", "报送月份：", "单位：万元"]


def test_a_parent_header_above_the_header_is_still_part_of_it():
    wb = Workbook()
    ws = wb.active
    ws.append(["填报单位：蛟河市"])
    ws.append(["项目名称", "项目法人", "总投资", "前期手续", None])
    ws.append([None, None, None, "立项", "用地"])
    ws.merge_cells("D2:E2")
    for col in "ABC":
        ws.merge_cells(f"{col}2:{col}3")
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    header = find_header(read_grids("t.xlsx", data, inspect_file("t.xlsx", data))[0])
    assert (header.first_row, header.last_row) == (1, 2)
    assert [c.field for c in header.columns] == [
        "project_name",
        "project_owner",
        "total_investment_wan",
        "approval_project",
        "approval_land",
    ]
