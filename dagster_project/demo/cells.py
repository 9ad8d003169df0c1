"""Canonical values -> what a submitter actually types into a cell.

A style's `noise` is the share of cells written loosely: numbers as text with full-width
digits, commas or units, 亿元 amounts, null placeholders, several people in one cell, line
breaks. Loose is never wrong: every value stays readable and means the same amount, so
the only errors in the demo are the defects planted on purpose (`defects.py`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from dagster_project.contract import FIELD_BY_NAME, REQUIRED, FieldType
from dagster_project.demo.styles import Style
from dagster_project.template.workbook import DAY_FORMAT, MONTH_FORMAT

PLACEHOLDERS = ("-", "/", "—", "无", "暂无", "待定")
# 落地状态 as clerks write it in words.
LANDING_WORDS = {
    "已签约": "签约未落地",
    "已注册": "已注册公司",
    "已落地": "已供地",
    "已开工": "开工建设",
}
_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass(frozen=True)
class Missing:
    """A required value left out on purpose (a planted defect)."""


@dataclass(frozen=True)
class Verbatim:
    """Text written as is, such as 待核实 in an amount cell or a formula without a cached
    value (a planted defect)."""

    text: str


MISSING = Missing()


@dataclass
class Cell:
    value: object
    number_format: str | None = None


def _number_text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and value != int(value) else f"{int(value)}"


def amount(value: float, style: Style, rng: random.Random, unit: str) -> Cell:
    """An amount in 万元 written in the sheet's unit, sometimes as loose text."""
    loose = rng.random() < style.noise and value != 0
    if unit == "亿元":
        if loose and value >= 1000 and value % 1000 == 0:
            return Cell(f"{value / 10000:g}亿元")
        if loose and value == int(value):
            return Cell(f"{int(value)}万")  # the cell's own unit wins over the title's
        return Cell(round(value / 10000, 6))
    if not loose:
        return Cell(value)
    whole = value == int(value)
    options = ["text", "full_width", "suffix"]
    if whole and value >= 1000:
        options.append("comma")
    if whole and value >= 10000 and value % 1000 == 0:
        options.append("yi")
    if whole and value >= 10000 and value % 10000 == 0:
        options.append("about_yi")
    kind = rng.choice(options)
    text = _number_text(value)
    if kind == "full_width":
        return Cell(text.translate(_FULL_WIDTH))
    if kind == "suffix":
        return Cell(text + rng.choice(("万", "万元")))
    if kind == "comma":
        return Cell(f"{int(value):,}")
    if kind == "yi":
        return Cell(f"{value / 10000:g}亿元")
    if kind == "about_yi":
        return Cell(f"约{int(value // 10000)}亿")
    return Cell(text)


def month(value: date, style: Style, rng: random.Random, as_text: bool = False) -> Cell:
    kind = style.dates
    if kind == "mixed":
        kind = rng.choice(("excel", "dot", "cn", "dash"))
    elif rng.random() < style.noise:
        kind = rng.choice(("dot", "cn"))
    if kind == "excel" and not as_text:
        return Cell(value, MONTH_FORMAT)
    if kind == "dot":
        return Cell(f"{value.year}.{value.month}")
    if kind == "dash" or kind == "excel":
        return Cell(f"{value.year}-{value.month:02d}")
    return Cell(f"{value.year}年{value.month}月")


def day(value: date, style: Style, rng: random.Random, as_text: bool = False) -> Cell:
    kind = style.dates
    if kind == "mixed":
        kind = rng.choice(("excel", "dot", "cn"))
    if kind == "excel" and not as_text:
        return Cell(value, DAY_FORMAT)
    if kind == "dot":
        return Cell(f"{value.year}.{value.month}.{value.day}")
    if kind == "dash" or kind == "excel":
        return Cell(value.isoformat())
    return Cell(f"{value.year}年{value.month}月{value.day}日")


def flag(name: str, value: bool, style: Style, rng: random.Random) -> Cell:
    if style.yes_no == "tick":
        return Cell("√" if value else "×")
    if name == "in_stats" and rng.random() < style.noise * 3:
        return Cell("已入统" if value else "未入统")
    return Cell("是" if value else "否")


def people(values: tuple[str, ...], style: Style, rng: random.Random) -> Cell:
    sep = "、\n" if len(values) > 1 and rng.random() < style.noise * 3 else "、"
    return Cell(sep.join(values))


def cell(
    list_key: str,
    name: str,
    value: object,
    style: Style,
    rng: random.Random,
    unit: str = "万元",
    as_text: bool = False,
) -> Cell:
    """The cell for one canonical value; `as_text` for CSV, which has no dates."""
    if isinstance(value, Missing):
        return Cell(None)
    if isinstance(value, Verbatim):
        return Cell(value.text)
    if value is None or value == ():
        optional = name not in REQUIRED[list_key] and name != "seq"
        if optional and rng.random() < style.noise * 2:
            return Cell(rng.choice(PLACEHOLDERS))
        return Cell(None)
    kind = FIELD_BY_NAME[name].type
    if kind == FieldType.AMOUNT:
        return amount(value, style, rng, unit)
    if kind == FieldType.RATIO:
        return Cell(value)
    if kind == FieldType.MONTH:
        return month(value, style, rng, as_text)
    if kind == FieldType.DAY:
        return day(value, style, rng, as_text)
    if kind == FieldType.MONTH_RANGE:
        start, end = value
        if rng.random() < style.noise * 3:
            return Cell(f"{start.year}.{start.month}-{end.year}.{end.month}")
        return Cell(f"{start.year}-{end.year}")
    if kind == FieldType.FLAG:
        return flag(name, value, style, rng)
    if kind == FieldType.APPROVAL:
        state, done = value
        if done is not None and rng.random() < style.noise * 3:
            return Cell(f"{state}（{done.year}年{done.month}月）")
        return Cell(state)
    if kind == FieldType.FUNDING:
        sep = rng.choice(("，", "+", ",")) if rng.random() < style.noise * 2 else "、"
        return Cell(sep.join(value))
    if kind == FieldType.LIBRARY_LEVEL and rng.random() < style.noise:
        return Cell(value[0] + "重点")  # 省级 -> 省重点, as the old lists say
    if kind == FieldType.PLAN_INCLUSION and value != "否" and rng.random() < style.noise * 3:
        return Cell(f"纳入{value}“十四五”规划")
    if kind == FieldType.LANDING_STATUS and rng.random() < style.noise * 3:
        return Cell(LANDING_WORDS[value])  # as a clerk writes it: 已供地, 开工建设
    if name in ("responsible_person", "contact_phone"):
        return people(value, style, rng)
    if name == "scope" and rng.random() < style.noise * 2:
        return Cell(value.replace("，", "，\n", 1))
    return Cell(value)
