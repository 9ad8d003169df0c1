"""Text helpers for cell values and headers.

Counties type with Chinese input methods, so the same digit, bracket or colon arrives in
two widths; a cell that means "nothing" arrives as -, /, 无, 暂无; and Alt+Enter line
breaks split words. Everything here is a pure function on one value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time
from functools import lru_cache

# U+FF01..U+FF5E are the full-width twins of ASCII "!".."~", at a fixed offset; U+3000 is
# the ideographic space. CJK characters and 、。 live elsewhere and are left alone.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20

# Pasted from web pages or Word: invisible, but they break equality and regexes.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Some xlsx writers store a carriage return as the literal escape _x000D_.
_ESCAPED_CR = "_x000D_"
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\u2028\u2029]")
_SPACES = re.compile(r"[ \t\f\u00a0\u3000]+")
_WHITESPACE = re.compile(r"\s+")

# SPEC §2 names -, /, —, 无, 暂无, 待定; the rest are their common variants. Compared after
# half-width conversion, so ／ and － are covered by / and -.
_PLACEHOLDERS = frozenset({"", "-", "--", "/", "—", "——", "无", "暂无", "待定", "空", "N/A"})

# Bracketed text that only states a unit, e.g. (万元), （亿元）, (%), (单位:万元).
_UNIT_BRACKET = re.compile(r"[(\[【](?:单位:?)?(?:亿元|万元|元|%|‰|倍|个)[)\]】]")

_UNIT = r"(亿元|万元|元|亿|万)"
# Tried in order: an explicit statement beats a unit merely ending the text. A bare 亿元
# or 万元 in the middle of a title ("亿元以上项目") is a project class, not a unit.
_UNIT_PATTERNS = (
    re.compile(r"单位:?" + _UNIT),
    re.compile(r"[(\[【]" + _UNIT + r"[)\]】]"),
    re.compile(r"^" + _UNIT + r"$"),
    re.compile(r"/" + _UNIT + r"$"),
    # "计划总投资亿元", but not "5000万元" or "超亿元", which are amounts.
    re.compile(r"(?<![\d.亿万千百十超过逾近约上下])(亿元|万元)$"),
)
_UNIT_NAMES = {"亿元": "亿元", "亿": "亿元", "万元": "万元", "万": "万元", "元": "元"}


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (１２,（）％：／ …) and the ideographic space to half-width."""
    return s.translate(_HALFWIDTH)


def squash(s: str) -> str:
    """Half-width, with invisible characters and all whitespace removed: the form in which
    short coded values (numbers, dates, codes, 是/否) are matched."""
    return _WHITESPACE.sub("", _INVISIBLE.sub("", to_halfwidth(s)))


def is_placeholder(s: str | None) -> bool:
    """True for an empty cell or a written "nothing" (-, /, —, 无, 暂无, 待定, N/A …)."""
    if s is None:
        return True
    if not isinstance(s, str):
        return False
    text = _INVISIBLE.sub("", to_halfwidth(s)).strip()
    return text in _PLACEHOLDERS or text.upper() == "N/A"


def clean_text(value: object) -> str | None:
    """A cell value as trimmed, single-line text; None for empty cells and placeholders."""
    if value is None:
        return None
    if value.__class__ is str:
        return _clean_str(value) if value else None
    return _clean_value(value)


@lru_cache(maxsize=1 << 16, typed=True)  # typed: 1, 1.0 and True read differently
def _clean_value(value: object) -> str | None:
    text = _render(value)
    return None if text is None else _clean_str(text)


@lru_cache(maxsize=1 << 16)
def _clean_str(text: str) -> str | None:
    # Cell texts repeat a great deal (units, names, 是/否), so this is cached.
    if (
        text
        and text.isprintable()  # no line break, tab, invisible or non-ASCII space
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and _ESCAPED_CR not in text
    ):
        # Nothing to clean, as most cells. Every placeholder is at most three characters.
        return None if len(text) <= 3 and is_placeholder(text) else text
    text = _INVISIBLE.sub("", text.replace(_ESCAPED_CR, "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in _LINE_BREAK.split(text))
    joined = _join_lines([line for line in lines if line])
    return None if is_placeholder(joined) else joined


def _render(value: object) -> str | None:
    """What the cell shows, as text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _render_float(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _render_float(value: float) -> str | None:
    if math.isnan(value):
        return None  # an empty cell that went through pandas
    if value.is_integer():
        # Phones and codes typed into number cells come back as 13912345678.0.
        return str(int(value))
    # Excel shows 15 significant digits, which also hides 0.1 + 0.2 noise.
    return format(value, ".15g")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _join_lines(lines: list[str]) -> str:
    """Join the lines of one cell: Chinese text has no spaces between words, so a break
    between two Chinese characters is dropped; anywhere else it becomes one space."""
    joined = ""
    for line in lines:
        if joined and not (_is_wide(joined[-1]) and _is_wide(line[0])):
            joined += " "
        joined += line
    return joined


@lru_cache(maxsize=1 << 14, typed=True)
def normalise_header(s: object) -> str:
    """A header as the field patterns in contract.py expect it: half-width, no whitespace
    or line breaks, no * required markers, no unit-only brackets such as （万元） or (%).

    Other brackets stay, so 县(市、区) remains 县(市、区).
    """
    if s is None:
        return ""
    text = squash(str(s)).replace("*", "")
    return _UNIT_BRACKET.sub("", text)


def unit_in_text(s: object) -> str | None:
    """The money unit (亿元 / 万元 / 元) a title or header states, or None."""
    if s is None:
        return None
    text = squash(str(s))
    for pattern in _UNIT_PATTERNS:
        match = pattern.search(text)
        if match:
            return _UNIT_NAMES[match.group(1)]
    return None
