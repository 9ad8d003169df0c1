"""The statistics bureau's monthly file (统计局_固定资产投资.xlsx): FAI and private
investment per region, year to date.

FAI covers more than the listed projects (small ones are not on any list), so a region's
FAI is its listed YTD scaled up, plus a base that follows the season, with its own growth
trend. It grows every month within a year and restarts in January. In one month the bureau
withholds absolutes and gives only 增速 and 民间投资占比, as text with ％.
"""

from __future__ import annotations

import random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from dagster_project.contract import STATISTICS_FIELDS
from dagster_project.demo.periods import calendar_month, year_of

FILE_NAME = "统计局_固定资产投资.xlsx"
WITHHELD = "—"
# Share of a year's FAI done by the end of each month in a northern city.
_SEASON = (0.02, 0.04, 0.10, 0.20, 0.33, 0.47, 0.60, 0.72, 0.83, 0.91, 0.97, 1.0)
_HEADERS = {
    "region": "地区",
    "fai_ytd_wan": "固定资产投资本年累计(万元)",
    "fai_prev_ytd_wan": "上年同期(万元)",
    "fai_growth": "增速(%)",
    "private_ytd_wan": "民间投资本年累计(万元)",
    "private_share": "民间投资占比(%)",
}
COLUMNS = (
    "region",
    "fai_ytd_wan",
    "fai_prev_ytd_wan",
    "fai_growth",
    "private_ytd_wan",
    "private_share",
)
assert set(COLUMNS) == {f.name for f in STATISTICS_FIELDS}


def withheld_month(first: int, last: int) -> int | None:
    """The month whose absolutes are withheld: three months back, within the range."""
    return None if last == first else max(first, last - 3)


def bureau_name(region: dict) -> str:
    """The bureau calls development zones by their short names."""
    if region["region_kind"] == "开发区" and region["aliases"]:
        return region["aliases"].split("|")[0]
    return region["region_name"]


TREND_ANCHOR = 2025 * 12  # the month where a region's growth trend is 1
BASE_MONTH = 2024 * 12 + 9  # October 2024


def fai_series(
    listed: dict[int, float], seed: int, code: str
) -> tuple[dict[int, int], dict[int, int]]:
    """(FAI YTD, private YTD) by month for one region from its listed 在建 YTD by month;
    `listed` starts in a January."""
    rng = random.Random(f"{seed}:{code}:bureau")
    ratio = rng.uniform(1.25, 1.8)
    growth = rng.uniform(-0.08, 0.18)
    share = rng.uniform(0.35, 0.65)
    # Investment off the lists, sized on a fixed month so that it does not depend on the
    # range of months generated.
    base = 0.3 * listed.get(BASE_MONTH, max(listed.values(), default=0.0)) + 1000
    fai, private = {}, {}
    best = best_private = 0.0
    for m in sorted(listed):
        month = calendar_month(m)
        if month == 1:
            best = best_private = 0.0  # YTD restarts in January
        trend = (1 + growth) ** ((m - TREND_ANCHOR) / 12)
        raw = (listed[m] * ratio + base * _SEASON[month - 1]) * trend
        # The investment off the lists goes on accruing when a finished project leaves the
        # 在建 list and the listed YTD falls: the bureau's YTD grows every month.
        accrued = base * (_SEASON[month - 1] - (_SEASON[month - 2] if month > 1 else 0)) * trend
        best = max(best + accrued, raw, listed[m] * 1.1)
        month_share = share + random.Random(f"{seed}:{code}:{m}:private").uniform(-0.03, 0.03)
        best_private = max(best_private, best * month_share)
        fai[m] = round(best)
        private[m] = round(best_private)
    return fai, private


def table(regions: list[dict], series: dict[str, tuple[dict, dict]], m: int) -> list[dict]:
    """One row per region for month m (needs month m-12 for 上年同期)."""
    rows = []
    for region in regions:
        fai, private = series[region["region_code"]]
        prev = fai.get(m - 12)
        rows.append(
            {
                "region": bureau_name(region),
                "fai_ytd_wan": fai[m],
                "fai_prev_ytd_wan": prev,
                "fai_growth": round((fai[m] / prev - 1) * 100, 1) if prev else None,
                "private_ytd_wan": private[m],
                "private_share": round(private[m] / fai[m] * 100, 1) if fai[m] else None,
            }
        )
    return rows


def workbook(rows: list[dict], m: int, area: str, withheld: bool) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "固定资产投资"
    period = (
        f"{year_of(m)}年1-{calendar_month(m)}月" if calendar_month(m) > 1 else f"{year_of(m)}年1月"
    )
    ws.append([f"{area}{period}分地区固定资产投资情况"])
    ws.cell(1, 1).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.append([_HEADERS[c] for c in COLUMNS])
    for col in range(1, len(COLUMNS) + 1):
        ws.cell(2, col).font = Font(bold=True)
        ws.cell(2, col).alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        values = []
        for c in COLUMNS:
            value = row[c]
            if withheld and c.endswith("_wan"):
                value = WITHHELD
            elif withheld and c in ("fai_growth", "private_share") and value is not None:
                value = f"{value}％"
            values.append(value)
        ws.append(values)
    ws.column_dimensions["A"].width = 16
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 18
    return wb
