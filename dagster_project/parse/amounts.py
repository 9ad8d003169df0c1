"""Money amounts, plain numbers, percentages and integers from cells.

Amounts are stored in 万元. Counties write them as numbers, or as text with units and
words: "1.2亿元", "12000万", "约3亿", "1,200", "８５００", "(1200)",
"1200（其中中央预算内300）". Anything that is not one clear number raises CellError,
because a guessed amount would silently move a ranking.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from .errors import CellError
from .text import clean_text, is_placeholder, squash, to_halfwidth

_FACTORS = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
_UNIT_NAMES = {"亿元": "亿元", "亿": "亿元", "万元": "万元", "万": "万元", "元": "元"}

# One number: optional sign, thousands groups or plain digits, optional decimals.
_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_UNIT = r"亿元|万元|元|亿|万"
# Words that qualify an amount without changing it: 约3亿, 3亿元左右, 300余万元.
_BEFORE = r"约|大约|预计|预估|估计|估算|近|超过|超|逾"
_AFTER = r"左右|以上|以内|上下|余|多"

_AMOUNT = re.compile(
    rf"^(?P<before>{_BEFORE})?(?P<num>{_NUM})(?P<mid>余|多)?(?P<unit>{_UNIT})?"
    rf"(?P<after>{_AFTER})?$"
)
# 1亿2000万(元): the way the amount is said aloud.
_YI_WAN = re.compile(
    rf"^(?P<before>{_BEFORE})?(?P<yi>\d+(?:\.\d+)?)亿(?P<wan>\d+(?:\.\d+)?)万元?"
    rf"(?P<after>{_AFTER})?$"
)
_WRAPPED = re.compile(r"^[(\[【](?P<inner>[^()\[\]【】]*)[)\]】]$")
_WITH_NOTE = re.compile(r"^(?P<head>[^()\[\]【】]+)[(\[【](?P<note>[^()\[\]【】]*)[)\]】]$")
# A note is words; a bracket holding only a number is a second number, not a note.
_WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_DIGIT_RUN = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE_BETWEEN_NUMBERS = re.compile(r"\d\s+[\d.]")

_NUMBER = re.compile(rf"^(?P<num>{_NUM})(?P<suffix>倍|%)?$")
_PERCENT = re.compile(rf"^(?P<num>{_NUM})(?P<suffix>%|‰)?$")
_INTEGER = re.compile(r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+))(?:\.0+)?(?:个|项|年)?$")


def parse_amount(value: object, default_unit: str = "万元") -> tuple[float | None, bool]:
    """An amount in 万元 and whether reading it needed judgement.

    Numbers are in ``default_unit`` (the unit the title or header states); a unit written
    in the cell (亿元, 万元, 元, 亿, 万) overrides it. The flag is True when the stored
    number is not what the cell shows in 万元: a unit was converted, or words or a note
    were dropped (约, 左右, brackets). Pure formatting — full-width digits, thousands
    separators, spaces, a 万元 suffix — is not a transformation. Negative numbers are
    returned as written; the data-quality rules judge them.
    """
    if default_unit not in _FACTORS:
        raise ValueError(f"unknown unit {default_unit!r}")
    if value is None:
        return None, False
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(_amount_reason(value, default_unit))
    if isinstance(value, str):
        return _parse_amount_text(value, default_unit)
    if math.isnan(value):
        return None, False
    if math.isinf(value):
        raise CellError(_amount_reason(value, default_unit))
    factor = _FACTORS[default_unit]
    return _round(_decimal(value) * factor), factor != 1


def _parse_amount_text(text: str, default_unit: str) -> tuple[float | None, bool]:
    if is_placeholder(text):
        return None, False
    plain = squash(text.replace("\u2212", "-"))  # U+2212 is the typographic minus
    if _SPACE_BETWEEN_NUMBERS.search(to_halfwidth(text)):  # "1200 1500"
        raise CellError(_amount_reason(text, default_unit))
    dropped = False
    wrapped = _WRAPPED.match(plain)
    if wrapped:
        # Counties bracket a number to annotate it, not to make it negative.
        plain, dropped = wrapped["inner"], True
    unit = None
    noted = _WITH_NOTE.match(plain)
    if noted:
        note = noted["note"]
        if note in _UNIT_NAMES:  # 1200（亿元）
            unit = _UNIT_NAMES[note]
        elif _WORDS.search(note):  # 1200（其中中央预算内300）
            dropped = True
        else:
            raise CellError(_amount_reason(text, default_unit))
        plain = noted["head"]
    amount, judged = _read_amount(plain, unit or default_unit)
    if amount is None:
        raise CellError(_amount_reason(text, default_unit))
    return amount, dropped or judged


def _read_amount(text: str, unit: str) -> tuple[float | None, bool]:
    """(万元, judged) for one number with optional unit and qualifying words."""
    match = _AMOUNT.match(text)
    if match:
        stated = match["unit"]
        factor = _FACTORS[_UNIT_NAMES[stated]] if stated else _FACTORS[unit]
        wordy = any(match[group] for group in ("before", "mid", "after"))
        return _round(Decimal(match["num"].replace(",", "")) * factor), wordy or factor != 1
    match = _YI_WAN.match(text)
    if match and Decimal(match["wan"]) < 10000:
        amount = Decimal(match["yi"]) * _FACTORS["亿元"] + Decimal(match["wan"])
        return _round(amount), True
    return None, False


def _amount_reason(value: object, default_unit: str) -> str:
    shown = clean_text(value) or ""
    if len(_DIGIT_RUN.findall(to_halfwidth(shown))) > 1:
        return f"金额“{shown}”含有多个数字，请只填写一个数字（单位{default_unit}），说明可写入备注"
    return f"无法识别的金额“{shown}”，请填写数字（单位{default_unit}）"


def _decimal(value: int | float) -> Decimal:
    # repr gives the shortest text that round-trips, so 0.1 stays 0.1 rather than
    # 0.1000000000000000055511151231257827.
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _round(amount: Decimal) -> float:
    # Six decimals of 万元 is 0.01 元; anything finer is float noise.
    return float(round(amount, 6))


def _reject_non_numbers(value: object, reason: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CellError(reason)
    if isinstance(value, float) and math.isinf(value):
        raise CellError(reason)


def parse_number(value: object) -> float | None:
    """A plain number such as 覆盖倍数: 1.35, "1.35", "1.35倍", "135%" (→ 1.35)."""
    reason = f"无法识别的数值“{clean_text(value) or ''}”，请填写数字，如 1.35"
    if _is_empty(value):
        return None
    _reject_non_numbers(value, reason)
    if not isinstance(value, str):
        return float(value)
    match = _NUMBER.match(squash(value))
    if not match:
        raise CellError(reason)
    number = Decimal(match["num"].replace(",", ""))
    if match["suffix"] == "%":
        number /= 100
    return float(number)


def parse_percent(value: object, header_says_percent: bool) -> float | None:
    """A percentage as a fraction: "8.5%" → 0.085, "-3.2%" → -0.032.

    A bare number is read by the header: when the header says (%) or ％, 8.5 means 8.5 %
    and gives 0.085; otherwise the number is taken as a fraction already (0.085 → 0.085).
    Caution: a cell formatted as a percentage in Excel stores 0.085 and merely displays
    8.5%, so a caller whose header says (%) should check the cell's number format.
    """
    reason = f"无法识别的百分比“{clean_text(value) or ''}”，请填写如 8.5%"
    if _is_empty(value):
        return None
    _reject_non_numbers(value, reason)
    if isinstance(value, str):
        match = _PERCENT.match(squash(value))
        if not match:
            raise CellError(reason)
        number, suffix = Decimal(match["num"].replace(",", "")), match["suffix"]
    else:
        number, suffix = _decimal(value), None
    if suffix == "‰":
        return float(number / 1000)
    if suffix == "%" or header_says_percent:
        return float(number / 100)
    return float(number)


def parse_integer(value: object) -> int | None:
    """A whole number: 12, 12.0, "１２", "1,200", "12个", "10年"; CellError for 12.5."""
    reason = f"无法识别的整数“{clean_text(value) or ''}”，请填写整数"
    if _is_empty(value):
        return None
    _reject_non_numbers(value, reason)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(reason)
        return int(value)
    match = _INTEGER.match(squash(value))
    if not match:
        raise CellError(reason)
    return int(match["num"].replace(",", ""))


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and is_placeholder(value)
