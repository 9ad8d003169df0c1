"""Data-quality defects planted on purpose, so that checks, the publication gate, county
reports and re-submissions have something real to find.

In the latest month 永吉县 and 蛟河市 leave required fields of the 在建 list empty and
write a value that cannot be read; in an earlier month 龙潭区 leaves out 项目法人 and
sends a corrected re-submission (`…_更正.xlsx`) in the same month folder.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from dagster_project.demo.cells import MISSING, Verbatim
from dagster_project.demo.old_layout import HIDDEN_INDEX

MISSING_VALUE = "missing_value"
UNREADABLE_VALUE = "unreadable_value"
FORMULA_WITHOUT_VALUE = "formula_without_value"
PLANTED_LIST = "under_construction"
CORRECTION_SUFFIX = "_更正"


class Defect(NamedTuple):
    file: str  # relative to the demo's output directory, with /
    sheet: str
    excel_row: int
    field: str
    kind: str
    corrected_by: str = ""  # the re-submission that fixes it, when there is one


@dataclass(frozen=True)
class Plant:
    field: str
    kind: str
    count: int = 1
    value: object = MISSING


LATEST_MONTH = {
    "220221": (  # 永吉县, official template
        Plant("project_owner", MISSING_VALUE, 2),
        Plant("responsible_person", MISSING_VALUE),
        Plant("annual_plan_wan", MISSING_VALUE),
        Plant("ytd_completed_wan", MISSING_VALUE),
        # openpyxl stores the formula without a cached result: readers see no value.
        Plant("annual_plan_wan", FORMULA_WITHOUT_VALUE, 1, Verbatim("=1200+300")),
    ),
    "220281": (  # 蛟河市, old sheets in 亿元
        Plant("project_owner", MISSING_VALUE),
        Plant("responsible_person", MISSING_VALUE, 2),
        Plant("ytd_completed_wan", MISSING_VALUE),
        Plant("total_investment_wan", UNREADABLE_VALUE, 1, Verbatim("待核实")),
    ),
}
EARLIER_MONTH = {"220203": (Plant("project_owner", MISSING_VALUE, 2),)}  # 龙潭区


def earlier_month(first: int, last: int) -> int | None:
    """The month of the corrected re-submission: three months back, within the range."""
    return None if last == first else max(first, last - 3)


def plants_for(code: str, m: int, first: int, last: int) -> tuple[Plant, ...]:
    if m == last:
        return LATEST_MONTH.get(code, ())
    if m == earlier_month(first, last):
        return EARLIER_MONTH.get(code, ())
    return ()


def plant(
    rows: list[dict], plants: tuple[Plant, ...], rng: random.Random
) -> tuple[list[dict], list[tuple[int, str, str]]]:
    """Copies of `rows` with the defects in distinct rows, and (row index, field, kind) of
    each. The hidden row is left alone so that every defect can be seen."""
    wanted = sum(p.count for p in plants)
    candidates = [i for i in range(5, len(rows))]
    if len(candidates) < wanted:
        candidates = [i for i in range(len(rows)) if i != HIDDEN_INDEX]
    chosen = sorted(rng.sample(candidates, min(wanted, len(candidates))))
    rng.shuffle(chosen)
    out = [dict(r) for r in rows]
    planted = []
    slots = iter(chosen)
    for p in plants:
        for _ in range(p.count):
            i = next(slots, None)
            if i is None:
                break
            out[i][p.field] = p.value
            planted.append((i, p.field, p.kind))
    return out, planted
