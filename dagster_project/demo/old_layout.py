"""Submitters that keep their old sheets: title rows above the header, a two-row merged
header, synonyms, 合计/小计/section rows between the projects, 序号 as 一/(一)/1/1.1,
vertically merged 责任单位, a hidden row and amounts in 亿元."""

from __future__ import annotations

import random
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.contract import FIELD_BY_NAME, LIST_BY_KEY, FieldType, ProjectList
from dagster_project.demo.cells import Cell, amount, cell
from dagster_project.demo.projects import APPROVALS
from dagster_project.demo.styles import Style
from dagster_project.template.workbook import column_width, list_sheet_number, ytd_header

SYNONYMS = {
    "project_code": "项目编码",
    "project_owner": "建设单位",
    "sector": "所属行业",
    "total_investment_wan": "计划总投资",
    "responsible_person": "包保领导",
    "ytd_completed_wan": "本年累计完成投资",
    "investor": "投资方",
    "signed_on": "签约日期",
    "signed_amount_wan": "协议投资额",
    "funds_in_place_wan": "实际到位资金",
    "landing_status": "推进状态",
}
# (top header, fields under it, sub-header overrides) of the two-row merged headers.
GROUPS = {
    "under_construction": (
        (
            "total_investment_wan",
            ("total_investment_wan", "central_budget_wan", "special_bond_funding_wan"),
            {"total_investment_wan": "合计"},
        ),
    ),
    "planned_next_year": (("前期手续", APPROVALS, {}),),
}
SECTIONS = (
    ("产业项目", ("工业", "农业", "服务业")),
    ("基础设施项目", ("交通", "水利", "能源", "新基建", "城建")),
    ("社会民生项目", ("社会事业", "生态环保")),
)
SECTION_LISTS = ("under_construction", "planned_next_year", "major_planning")
CHINESE_NUMERALS = "一二三四五六七八九十"
SHORT_NAMES = {
    "under_construction": "在建",
    "unstated": "已开工未入统",
    "special_bonds": "专项债",
    "planned_next_year": "明年拟开工",
    "major_planning": "重大谋划",
    "investment_attraction": "招商引资",
    "issue_ledger": "问题台账",
}
HIDDEN_INDEX = 2  # the third project of the 在建 list is hidden in the styles that hide one


def sheet_name(lst: ProjectList, style: Style) -> str:
    n = list_sheet_number(lst)
    return {
        "annex": f"附件{n} {lst.title}清单",
        "list": f"{lst.title}清单",
        "short": f"{n}.{SHORT_NAMES[lst.key]}",
    }.get(style.sheet_names, lst.title)


def reporting_unit(region: dict) -> str:
    """填报单位 as counties write it: the office, which contains the region's name."""
    if region["region_kind"] in ("开发区", "新区"):
        return region["region_name"] + "管理委员会"
    return region["region_name"] + "发展和改革局"


def columns(lst: ProjectList, style: Style) -> list[str]:
    return [c for c in lst.columns if c not in style.dropped]


def header(name: str, style: Style, m_date: date, unit: str | None) -> str:
    if name == "ytd_completed_wan" and not style.synonyms:
        text = ytd_header(m_date)
    elif style.synonyms and name in SYNONYMS:
        text = SYNONYMS[name]
    else:
        text = FIELD_BY_NAME[name].header
    if unit and FIELD_BY_NAME[name].type == FieldType.AMOUNT:
        text += f"（{unit}）"
    return text


def _section_of(row: dict) -> int:
    return next(i for i, (_, sectors) in enumerate(SECTIONS) if row.get("sector") in sectors)


def _plan(lst: ProjectList, rows: list[dict], style: Style) -> list[tuple]:
    """The rows of the sheet in order: ("data", index, seq), ("total"|"section"|"sub"|
    "subtotal"|"among", label, seq, indices)."""
    indices = list(range(len(rows)))
    unit_order = (lambda i: rows[i].get("responsible_unit") or "") if style.merge_units else None

    def ordered(block: list[int]) -> list[int]:
        return sorted(block, key=unit_order) if unit_order else block

    plan: list[tuple] = []
    if style.totals == "first":
        plan.append(("total", "合计", None, indices))
        if lst.key == "under_construction" and style.seq == "chinese":
            big = [i for i in indices if (rows[i].get("total_investment_wan") or 0) >= 5000]
            plan.append(("among", "其中：5000万元以上项目", None, big))
    if style.sections and lst.key in SECTION_LISTS:
        running = 0
        for s, (label, sectors) in enumerate(SECTIONS):
            block = [i for i in indices if _section_of(rows[i]) == s]
            if not block:
                continue
            # A section row carries its subtotal unless a 小计 row follows the section.
            summed = block if style.sections == "header" else []
            if style.seq == "chinese":
                plan.append(("section", label, CHINESE_NUMERALS[s], summed))
                for k, sector in enumerate(sectors):
                    sub = [i for i in block if rows[i].get("sector") == sector]
                    if not sub:
                        continue
                    plan.append(("sub", f"{sector}项目", f"({CHINESE_NUMERALS[k]})", sub))
                    plan += [("data", i, str(n)) for n, i in enumerate(ordered(sub), 1)]
            elif style.seq == "dotted":
                # Sections keep Chinese numerals; projects are numbered within them.
                plan.append(("section", label, CHINESE_NUMERALS[s], summed))
                plan += [("data", i, f"{s + 1}.{n}") for n, i in enumerate(ordered(block), 1)]
            else:
                plan.append(("section", f"{CHINESE_NUMERALS[s]}、{label}", None, []))
                for i in ordered(block):
                    running += 1
                    plan.append(("data", i, running))
            if style.sections == "subtotal":
                plan.append(("subtotal", "小计", None, block))
    else:
        plan += [("data", i, n) for n, i in enumerate(ordered(indices), 1)]
    if style.totals == "last":
        plan.append(("total", "合计", None, indices))
    return plan


def _sum_row(cols, rows, indices, style, unit) -> dict[int, Cell]:
    """Amount columns of a 合计/小计/section row: sums of the rows below it."""
    out = {}
    exact = Style("sum", unit=style.unit, noise=0.0)
    rng = random.Random(0)  # unused with no noise
    for col, name in enumerate(cols, start=1):
        if FIELD_BY_NAME[name].type != FieldType.AMOUNT:
            continue
        values = [rows[i].get(name) for i in indices]
        total = sum(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
        out[col] = amount(round(total, 1), exact, rng, unit)
    return out


def write_sheet(
    wb: Workbook,
    lst: ProjectList,
    rows: list[dict],
    region: dict,
    city_name: str,
    m_date: date,
    style: Style,
    sheet_seed: int,
) -> tuple[str, list[int]]:
    """One list's sheet; returns its name and the Excel row of every given row."""
    ws: Worksheet = wb.create_sheet(sheet_name(lst, style))
    cols = columns(lst, style)
    last_title = _write_titles(ws, lst, region, city_name, m_date, style, len(cols))
    first_body = _write_header(ws, lst, cols, m_date, style, last_title + 1)
    excel_rows = _write_body(ws, lst, cols, rows, style, sheet_seed, first_body)
    if style.merge_units and "responsible_unit" in cols:
        _merge_runs(ws, cols.index("responsible_unit") + 1, sorted(excel_rows))
    return ws.title, excel_rows


def _write_titles(ws, lst, region, city_name, m_date, style, width) -> int:
    """附件N / 清单 title / 填报单位 rows; returns the last row written (0 for none)."""
    unit = "" if lst.key in style.unit_in_headers else f"        单位：{style.unit}"
    titles = [
        f"附件{list_sheet_number(lst)}",
        f"{city_name}{lst.title}清单",
        f"填报单位：{reporting_unit(region)}{unit}",
    ]
    if style.title_rows == 2:
        titles = [f"{city_name}{m_date.year}年{m_date.month}月{lst.title}调度表", titles[2]]
    chosen = titles[-style.title_rows :] if style.title_rows else []
    for r, text in enumerate(chosen, start=1):
        ws.cell(r, 1, text)
        if "清单" in text or "调度表" in text:
            ws.cell(r, 1).font = Font(size=14, bold=True)
            ws.cell(r, 1).alignment = Alignment(horizontal="center")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
    return len(chosen)


def _write_header(ws, lst, cols, m_date, style, r: int) -> int:
    """One header row, or two with merged groups; returns the first row below it."""
    header_unit = style.unit if lst.key in style.unit_in_headers else None
    groups = {f: g for g in GROUPS.get(lst.key, ()) for f in g[1]} if style.merged_header else {}
    done = set()
    for col, name in enumerate(cols, start=1):
        if name in groups:
            top, members, subs = groups[name]
            if top not in done:
                done.add(top)
                span = len([m for m in members if m in cols])
                text = header(top, style, m_date, style.unit) if top in FIELD_BY_NAME else top
                ws.cell(r, col, text)
                if span > 1:
                    ws.merge_cells(
                        start_row=r, start_column=col, end_row=r, end_column=col + span - 1
                    )
            ws.cell(r + 1, col, subs.get(name) or FIELD_BY_NAME[name].header)
        else:
            ws.cell(r, col, header(name, style, m_date, header_unit))
            if style.merged_header:
                ws.merge_cells(start_row=r, start_column=col, end_row=r + 1, end_column=col)
        ws.column_dimensions[get_column_letter(col)].width = column_width(name)
    height = 2 if style.merged_header else 1
    for hr in range(r, r + height):
        for col in range(1, len(cols) + 1):
            ws.cell(hr, col).font = Font(bold=True)
            ws.cell(hr, col).alignment = Alignment(horizontal="center", wrap_text=True)
    return r + height


def _write_body(ws, lst, cols, rows, style, sheet_seed: int, r: int) -> list[int]:
    """Projects, 合计/小计/section rows in plan order; the Excel row of every project."""
    seq_col = cols.index("seq") + 1
    name_col = cols.index("project_name") + 1
    excel_rows = [0] * len(rows)
    for entry in _plan(lst, rows, style):
        if entry[0] == "data":
            _, i, seq = entry
            rng = random.Random(sheet_seed + i)
            for col, name in enumerate(cols, start=1):
                value = seq if name == "seq" else rows[i].get(name)
                c = cell(lst.key, name, value, style, rng, unit=style.unit)
                if c.value is not None:
                    target = ws.cell(r, col, c.value)
                    if c.number_format:
                        target.number_format = c.number_format
            if style.hidden_row and lst.key == "under_construction" and i == HIDDEN_INDEX:
                ws.row_dimensions[r].hidden = True
            excel_rows[i] = r
        else:
            kind, label, seq, indices = entry
            if seq is not None:
                ws.cell(r, seq_col, seq)
            if kind == "total" and style.totals == "first":
                ws.cell(r, seq_col, label)
                ws.merge_cells(start_row=r, start_column=seq_col, end_row=r, end_column=name_col)
            else:
                ws.cell(r, name_col, label)
            if indices:
                for col, c in _sum_row(cols, rows, indices, style, style.unit).items():
                    ws.cell(r, col, c.value)
            ws.cell(r, name_col).font = Font(bold=True)
        r += 1
    return excel_rows


def _merge_runs(ws: Worksheet, col: int, data_rows: list[int]) -> None:
    """One 责任单位 cell spans consecutive projects of the same unit."""
    runs: list[list[int]] = []
    for r in data_rows:
        value = ws.cell(r, col).value
        if runs and r == runs[-1][-1] + 1 and value == ws.cell(runs[-1][0], col).value:
            runs[-1].append(r)
        else:
            runs.append([r])
    for run in runs:
        if len(run) > 1:
            for r in run[1:]:
                ws.cell(r, col).value = None
            ws.merge_cells(start_row=run[0], start_column=col, end_row=run[-1], end_column=col)


def write_old(
    rows_by_list: dict[str, list[dict]],
    region: dict,
    city_name: str,
    m_date: date,
    style: Style,
    seeds,
) -> tuple[Workbook, dict[str, tuple[str, list[int]]]]:
    wb = Workbook()
    wb.remove(wb.active)
    placed = {}
    for key, rows in rows_by_list.items():
        lst = LIST_BY_KEY[key]
        placed[key] = write_sheet(wb, lst, rows, region, city_name, m_date, style, seeds(key))
    return wb, placed
