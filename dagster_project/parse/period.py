"""The month a workbook says it is for, against the month folder it was put in.

A county's September workbook dropped into raw/2026-10/ would otherwise become October's
figures. Its title rows (2026年9月…, 报送月份：2026年9月, 2026年1-9月…) and its
"1-9月累计完成投资" header say which month it is; when they name another month than the
folder, the file is refused for that period with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from dagster_project.parse.guards import FileRejected

# 2026年9月, 2026年1-9月, 2026 年 1—9 月; not a day (2026年11月5日).
_MONTH = re.compile(r"(20\d{2})\s*年\s*(?:1\s*[-—–~～至]\s*)?(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")
# A line that dates the filling-in, not the period reported.
_DATED = re.compile(r"日期|时间|填报日|报送日")


def months_in_titles(title_lines: Iterable[str]) -> set[tuple[int, int]]:
    """(year, month) that the title rows name as the period of the file."""
    found = set()
    for line in title_lines:
        if _DATED.search(line):
            continue
        for year, month in _MONTH.findall(line):
            if 1 <= int(month) <= 12:
                found.add((int(year), int(month)))
    return found


def check_period(
    period_month: date, title_lines: Iterable[str], ytd_months: Iterable[tuple[str, int]]
) -> None:
    """Refuse a monthly file whose title rows (naming one month) or a sheet's 1-X月 header
    name another month than its folder's; `ytd_months` are (sheet name, X)."""
    folder = f"{period_month:%Y-%m}"
    titled = months_in_titles(title_lines)
    if len(titled) == 1:
        ((year, month),) = titled
        if (year, month) != (period_month.year, period_month.month):
            raise FileRejected(
                f"文件标题注明{year}年{month}月，但放在{folder}目录（按{period_month.year}年"
                f"{period_month.month}月报送）：如是{month}月的报表，请放入{year}-{month:02d}"
                f"目录；如确为{period_month.month}月的报表，请改正标题后重新报送 "
                "[title names another month than the folder]"
            )
    for sheet, month in ytd_months:
        if month != period_month.month:
            raise FileRejected(
                f"工作表“{sheet}”的表头为“1-{month}月累计完成投资”，但文件放在{folder}目录"
                f"（按{period_month.month}月报送）：请填报截至{period_month.month}月底的累计数，"
                f"并将表头改为“1-{period_month.month}月累计完成投资”后重新报送 "
                "[YTD header names another month than the folder]"
            )


def period_named(
    title_lines: Iterable[str], ytd_months: Iterable[int], today: date
) -> tuple[date, str] | None:
    """The month a workbook names as its period, and where it names it — for a file that
    lies in no month folder (`xmk validate` on the clerk's desktop): the title rows
    (2026年10月…, 报送月份：2026年10月, 2026年1-10月), else the "1-X月累计完成投资" headers,
    whose X is taken in the latest year that does not put it after `today`'s month.
    None when the workbook names no month, or several."""
    titled = months_in_titles(title_lines)
    if len(titled) == 1:
        ((year, month),) = titled
        return date(year, month, 1), f"标题行注明{year}年{month}月"
    headed = set(ytd_months)
    if titled or len(headed) != 1:
        return None
    (month,) = headed
    year = today.year if month <= today.month else today.year - 1
    return date(year, month, 1), f"表头“1-{month}月累计完成投资”，按{year}年计"
