"""The demo's raw/ folder, read back from real files: layout, names, received times,
byte-stable output, YTD across the new year, and the planted defects."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from dagster_project.contract import LIST_BY_KEY, LISTS
from dagster_project.demo import old_layout
from dagster_project.demo.city import regions
from dagster_project.demo.defects import FORMULA_WITHOUT_VALUE, MISSING_VALUE, UNREADABLE_VALUE
from dagster_project.demo.generate import generate_demo
from dagster_project.demo.periods import SHANGHAI
from dagster_project.demo.styles import style_for
from dagster_project.template.workbook import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    SUBMITTER_CELL,
    header_text,
)
from tests.demo.conftest import SMALL

MONTHS = ("2025-12", "2026-01")


def _received(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, SHANGHAI)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _column(code: str, list_key: str, field: str) -> int:
    lst = LIST_BY_KEY[list_key]
    style = style_for(code)
    columns = old_layout.columns(lst, style) if style.layout == "old" else lst.columns
    return columns.index(field) + 1


def test_each_month_holds_one_submission_per_submitter(small_demo):
    root = small_demo.out_dir
    for month in MONTHS:
        names = sorted(p.name for p in (root / month).iterdir())
        year, mon = int(month[:4]), int(month[5:])
        expected = {
            "220202_昌邑区.xlsx",
            "220221_永吉县.xlsx",
            "220281_蛟河市.xlsx",
            f"丰满区{year}年{mon}月项目调度表.xlsx",  # no code in the name
            f"高新区_{mon}月.xlsx",  # the alias
            f"{mon}月份报表.xlsx",  # no identity at all
            "统计局_固定资产投资.xlsx",
        } | {f"220283_舒兰市_{lst.title}.csv" for lst in LISTS}
        assert expected <= set(names)
        submitters = [
            n for n in names if "统计局" not in n and "更正" not in n and not n.endswith(".pdf")
        ]
        assert len(submitters) == len(regions("city")) - 1 + len(LISTS)


def test_the_anonymous_file_names_its_submitter_in_the_title_rows(small_demo):
    wb = openpyxl.load_workbook(small_demo.out_dir / "2026-01" / "1月份报表.xlsx")
    assert all(wb[lst.title][SUBMITTER_CELL].value == "北大湖新区" for lst in LISTS)


def test_csv_files_are_gbk_with_the_template_header(small_demo):
    month = small_demo.out_dir / "2026-01"
    for lst in LISTS:
        text = (month / f"220283_舒兰市_{lst.title}.csv").read_bytes().decode("gbk")
        lines = text.splitlines()
        header = lines[1] if lines[0].startswith("舒兰市") else lines[0]
        expected = [header_text(f, lst.key, date(2026, 1, 1)) for f in lst.columns]
        assert header.split(",") == expected


def test_official_submitters_write_the_template_layout(small_demo):
    wb = openpyxl.load_workbook(small_demo.out_dir / "2026-01" / "220202_昌邑区.xlsx")
    for lst in LISTS:
        headers = [c.value for c in wb[lst.title][HEADER_ROW]]
        assert headers == [header_text(f, lst.key, date(2026, 1, 1)) for f in lst.columns]
    assert "填报说明" in wb.sheetnames


def test_old_style_submitters_keep_their_habits(small_demo):
    wb = openpyxl.load_workbook(small_demo.out_dir / "2026-01" / "220281_蛟河市.xlsx")
    ws = wb["在建项目清单"]
    assert "单位：亿元" in ws.cell(3, 1).value
    assert any(d.hidden for d in ws.row_dimensions.values())
    assert any(ws.cell(r, 3).value == "合计" for r in range(ws.max_row - 2, ws.max_row + 1))
    ws = openpyxl.load_workbook(small_demo.out_dir / "2026-01" / "220204_船营区.xlsx")[
        "附件1 在建项目清单"
    ]
    assert ws.cell(4, 9).value == "计划总投资（万元）" and ws.cell(5, 9).value == "合计"
    assert ws.cell(6, 1).value == "合计"
    assert len(ws.merged_cells.ranges) > 20  # headers and 责任单位 spans


def test_weekly_files_cover_the_iso_weeks_of_the_last_two_months(small_demo):
    root = small_demo.out_dir
    weeks = sorted(p.name for p in root.iterdir() if "-W" in p.name)
    # Mondays 2025-12-01 … 2026-01-26; the Monday 2025-12-29 opens ISO week 2026-W01.
    assert weeks == ["2025-W49", "2025-W50", "2025-W51", "2025-W52"] + [
        f"2026-W0{w}" for w in range(1, 6)
    ]
    for week in weeks:
        for path in (root / week).iterdir():
            assert path.name.endswith(("_已开工未入统.xlsx", "_已开工未入统.csv"))
            monday = datetime.strptime(week + "-1", "%G-W%V-%u").date()
            assert _received(path).date() == monday + timedelta(days=8)  # the Tuesday after


def test_received_times_are_early_next_month_in_office_hours(small_demo):
    root = small_demo.out_dir
    for month, (year, mon) in zip(MONTHS, ((2026, 1), (2026, 2)), strict=True):
        for path in (root / month).iterdir():
            got = _received(path)
            assert (got.year, got.month) == (year, mon)
            if "统计局" in path.name:
                assert got.day == 15
            else:
                assert 3 <= got.day <= 10 and 9 <= got.hour < 17
    for correction in small_demo.corrections:
        original = root / correction.replace("_更正", "")
        assert _received(root / correction) > _received(original)


def test_statistics_file_lists_every_region(small_demo):
    ws = openpyxl.load_workbook(small_demo.out_dir / "2026-01" / "统计局_固定资产投资.xlsx").active
    header = [c.value for c in ws[2]]
    assert header[0] == "地区" and "增速(%)" in header and "民间投资占比(%)" in header
    assert ws.max_row - 2 == len(regions("city"))
    withheld = openpyxl.load_workbook(small_demo.out_dir / "2025-12" / "统计局_固定资产投资.xlsx")
    row = [c.value for c in withheld.active[3]]
    assert row[1] == row[2] == row[4] == "—" and row[3].endswith("％")


def test_a_second_run_finds_every_file_byte_identical_and_rewrites_none(small_demo):
    # write_if_changed compares bytes, so "nothing written" means "identical bytes".
    root = small_demo.out_dir
    before = {k: (root / k).stat().st_mtime for k in _files(root)}
    again = generate_demo(root, **SMALL)
    assert again.written == 0
    assert again.files == small_demo.files
    assert {k: (root / k).stat().st_mtime for k in _files(root)} == before


def _ytd_by_project(path: Path) -> dict[str, tuple[float, str]]:
    ws = openpyxl.load_workbook(path)["在建项目"]
    lst = LIST_BY_KEY["under_construction"]
    name, ytd, kind = (
        lst.columns.index(f) for f in ("project_name", "ytd_completed_wan", "construction_type")
    )
    return {
        row[name]: (row[ytd], row[kind])
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        if isinstance(row[ytd], int | float)
    }


@pytest.mark.parametrize("stem", ["220202_昌邑区", "220203_龙潭区", "220272_吉林经济技术开发区"])
def test_ytd_restarts_in_january(small_demo, stem):
    december = _ytd_by_project(small_demo.out_dir / "2025-12" / f"{stem}.xlsx")
    january = _ytd_by_project(small_demo.out_dir / "2026-01" / f"{stem}.xlsx")
    both = december.keys() & january.keys()
    assert both
    for project in both:
        assert january[project][0] <= december[project][0]
        # A project started in 2025 is new (新建) in December and continuing (续建) now.
        if december[project][1] == "新建":
            assert january[project][1] == "续建"
    assert sum(january[p][0] for p in both) < 0.2 * sum(december[p][0] for p in both)


def test_planted_defects_are_where_the_summary_says(small_demo):
    kinds = {d.kind for d in small_demo.defects}
    assert kinds == {MISSING_VALUE, UNREADABLE_VALUE, FORMULA_WITHOUT_VALUE}
    latest = [d for d in small_demo.defects if d.file.startswith("2026-01/")]
    assert {d.file for d in latest} == {"2026-01/220221_永吉县.xlsx", "2026-01/220281_蛟河市.xlsx"}
    assert {d.field for d in latest} >= {
        "project_owner",
        "responsible_person",
        "annual_plan_wan",
        "ytd_completed_wan",
    }
    for d in small_demo.defects:
        ws = openpyxl.load_workbook(small_demo.out_dir / d.file)[d.sheet]
        value = ws.cell(d.excel_row, _column(d.file[8:14], "under_construction", d.field)).value
        expected = {
            MISSING_VALUE: None,
            UNREADABLE_VALUE: "待核实",
            FORMULA_WITHOUT_VALUE: "=1200+300",
        }
        assert value == expected[d.kind], d
        assert ws.cell(d.excel_row, 3).value  # a real project row


def test_earlier_resubmission_fixes_its_defects(small_demo):
    earlier = [d for d in small_demo.defects if d.corrected_by]
    assert earlier and all(d.file == "2025-12/220203_龙潭区.xlsx" for d in earlier)
    assert small_demo.corrections == ["2025-12/220203_龙潭区_更正.xlsx"]
    for d in earlier:
        ws = openpyxl.load_workbook(small_demo.out_dir / d.corrected_by)[d.sheet]
        assert ws.cell(d.excel_row, _column("220203", "under_construction", d.field)).value


def test_corrected_run_adds_resubmissions_fixing_every_latest_defect(tmp_path):
    summary = generate_demo(tmp_path, corrected=True, **(SMALL | {"months": 1}))
    latest = [d for d in summary.defects if d.file.startswith("2026-01/")]
    assert latest and all(d.corrected_by for d in latest)
    for d in latest:
        ws = openpyxl.load_workbook(tmp_path / d.corrected_by)[d.sheet]
        value = ws.cell(d.excel_row, _column(d.file[8:14], "under_construction", d.field)).value
        assert value is not None and value not in ("待核实", "=1200+300")
        assert _received(tmp_path / d.corrected_by) > _received(tmp_path / d.file)
