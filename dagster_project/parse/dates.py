"""Months, days and month ranges from cells, and the month inside a header.

Counties write dates as real Excel dates, as Excel serial numbers in a number cell, as
numbers such as 2024.3, and as text: "2024.3", "2024年3月", "2024-03", "202403",
"2023-2025". Months are returned as the first day of the month.

A number cell cannot tell 2024.1 from 2024.10: Excel stores both as the same number, so a
number 2024.1 reads as January. The same text "2024.10" reads as October.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from .errors import CellError
from .text import clean_text, is_placeholder, squash, to_halfwidth

# Excel's 1900 date system counts serial 1 as 1900-01-01 and wrongly has a 1900-02-29
# (serial 60); counting from 1899-12-30 is right for every serial after that.
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials 20000..80000 are 1954..2119: outside that a number is not a plausible date.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000
_YEAR_MIN, _YEAR_MAX = 1900, 2100

_MONTH_HINT = "请填写如 2024年3月 或 2024.3"
_DAY_HINT = "请填写如 2024年3月15日 或 2024-03-15"
_RANGE_HINT = "请填写如 2023-2025 或 2023.3-2025.10"

_TIME_SUFFIX = re.compile(r"[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_CHINESE = re.compile(
    r"^(?P<y>\d{4})年度?"
    r"(?:(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})[日号]|初|上旬|中旬|下旬|中|底|末)?"
    r"|(?P<year_end>底|末)|(?P<year_start>初))?$"
)
_SEPARATED = re.compile(r"^(?P<y>\d{4})[-./](?P<m>\d{1,2})(?:[-./](?P<d>\d{1,2}))?$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$")
_YEAR = re.compile(r"^(?P<y>\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")

_RANGE_SEPARATOR = re.compile(r"~|—+|–|―+|-+|至|到")
_STARTS_WITH_YEAR = re.compile(r"^\d{4}")

_HEADER_MONTH_SPAN = re.compile(r"(?<!\d)\d{1,2}(?:-|—|–|~|至|到)+(\d{1,2})月")
_HEADER_MONTH = re.compile(r"(?<!\d)(\d{1,2})月")

# (year, month or None, day or None)
_Parts = tuple[int, int | None, int | None]


def parse_month(value: object, year_only_ok: bool = True) -> date | None:
    """The first day of the month a cell names; None for empty cells and placeholders.

    A bare year (2024, "2024年") gives January when ``year_only_ok``, else CellError.
    """
    parts = _parts(value, _MONTH_HINT, year_only_ok)
    if parts is None:
        return None
    year, month, _ = parts
    return date(year, month or 1, 1)


def parse_day(value: object, year_only_ok: bool = True) -> date | None:
    """The day a cell names; a month without a day gives the 1st."""
    parts = _parts(value, _DAY_HINT, year_only_ok)
    if parts is None:
        return None
    year, month, day = parts
    return date(year, month or 1, day or 1)


def parse_month_range(value: object) -> tuple[date | None, date | None]:
    """(start month, end month) of a 建设起止年限 cell.

    "2023-2025" → (2023-01, 2025-12): a year alone starts in January and ends in December.
    "2024-03" is one month, not a range. A single date gives (that month, None).
    """
    if not isinstance(value, str):
        return parse_month(value), None
    if is_placeholder(value):
        return None, None
    text = _prepare(value)
    single = _try_parts(text)
    if single is not None:
        return date(single[0], single[1] or 1, 1), None
    for separator in _RANGE_SEPARATOR.finditer(text):
        left, right = text[: separator.start()], text[separator.end() :]
        start, end = _try_parts(left), _try_parts(right)
        if start and end and _STARTS_WITH_YEAR.match(right):
            return _ordered_range(value, start, end)
    raise CellError(f"无法识别的起止年限“{clean_text(value)}”，{_RANGE_HINT}")


def _ordered_range(value: object, start: _Parts, end: _Parts) -> tuple[date, date]:
    first = date(start[0], start[1] or 1, 1)
    last = date(end[0], end[1] or 12, 1)
    if first > last:
        raise CellError(f"起止年限“{clean_text(value)}”开始晚于结束，请检查")
    return first, last


def month_in_header(header: str) -> int | None:
    """The month a header names: "1-9月累计完成投资" → 9, "9月累计" → 9, else None."""
    text = squash(header or "")
    match = _HEADER_MONTH_SPAN.search(text) or _HEADER_MONTH.search(text)
    if not match:
        return None
    month = int(match.group(1))
    return month if 1 <= month <= 12 else None


def _try_parts(text: str) -> _Parts | None:
    try:
        return _parts_from_text(text, text, _MONTH_HINT)
    except CellError:
        return None


def _parts(value: object, hint: str, year_only_ok: bool) -> _Parts | None:
    parts = _read_parts(value, hint)
    if parts is not None and parts[1] is None and not year_only_ok:
        raise CellError(f"日期“{clean_text(value)}”只有年份，请填写到月份，如 2024年3月")
    return parts


def _read_parts(value: object, hint: str) -> _Parts | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):  # datetime is a date
        return value.year, value.month, value.day
    if isinstance(value, bool):
        raise CellError(_reason(value, hint))
    if isinstance(value, int | float):
        return _parts_from_number(value, hint)
    if isinstance(value, str):
        if is_placeholder(value):
            return None
        return _parts_from_text(_prepare(value), value, hint)
    raise CellError(_reason(value, hint))


def _prepare(text: str) -> str:
    """Half-width, no whitespace, and no time of day ("2024-03-15 00:00:00" in a CSV)."""
    return squash(_TIME_SUFFIX.sub("", to_halfwidth(text).strip()))


def _parts_from_number(number: int | float, hint: str) -> _Parts | None:
    if isinstance(number, float):
        if math.isnan(number):
            return None
        if math.isinf(number):
            raise CellError(_reason(number, hint))
        if number.is_integer():
            number = int(number)
    if _SERIAL_MIN <= number <= _SERIAL_MAX:
        day = _EXCEL_EPOCH + timedelta(days=math.floor(number))  # fraction = time of day
        return day.year, day.month, day.day
    if isinstance(number, float):
        return _parts_from_dotted_number(number, hint)
    return _parts_from_text(str(number), number, hint)  # 2024, 202403, 20240315


def _parts_from_dotted_number(number: float, hint: str) -> _Parts:
    """2024.3 typed into a number cell: the decimals are the month (2024.1 is January)."""
    year_text, _, month_text = repr(number).partition(".")
    if len(month_text) > 2 or not _YEAR_MIN <= int(year_text) <= _YEAR_MAX:
        raise CellError(_reason(number, hint))
    return _checked(int(year_text), int(month_text), None, number, hint)


def _parts_from_text(text: str, shown: object, hint: str) -> _Parts:
    if _SERIAL.match(text) and _SERIAL_MIN <= float(text) <= _SERIAL_MAX:
        return _parts_from_number(float(text), hint)  # a serial exported to CSV as text
    for pattern in (_CHINESE, _SEPARATED, _COMPACT, _YEAR):
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            day = _int_or_none(groups.get("d"))
            return _checked(int(groups["y"]), _month(groups), day, shown, hint)
    raise CellError(_reason(shown, hint))


def _month(groups: dict[str, str | None]) -> int | None:
    if groups.get("year_end"):  # 2024年底
        return 12
    if groups.get("year_start"):  # 2024年初
        return 1
    return _int_or_none(groups.get("m"))


def _checked(year: int, month: int | None, day: int | None, shown: object, hint: str) -> _Parts:
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        raise CellError(_reason(shown, hint))
    try:
        date(year, month or 1, day or 1)  # validates month and day, leap years included
    except ValueError:
        raise CellError(f"日期“{clean_text(shown)}”不存在，{hint}") from None
    return year, month, day


def _int_or_none(digits: str | None) -> int | None:
    return int(digits) if digits else None


def _reason(value: object, hint: str) -> str:
    return f"无法识别的日期“{clean_text(value) or ''}”，{hint}"
