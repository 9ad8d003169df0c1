"""Coded answers from cells: yes/no flags, 前期手续 states, 资金来源, 建设性质, 项目级别,
and the people and phone numbers of a 责任人 / 联系电话 cell.

Each parser maps the words counties actually write to the code lists in contract.py and
raises CellError for anything else, naming the accepted answers.
"""

from __future__ import annotations

import math
import re
from datetime import date

from dagster_project.contract import FUNDING_SOURCES

from .dates import parse_month
from .errors import CellError
from .text import clean_text, is_placeholder, squash, to_halfwidth

_TRUE = frozenset(
    {"是", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "已入统", "已纳统", "入统", "有"}
)
_FALSE = frozenset({"否", "×", "✗", "✘", "☒", "n", "no", "false", "0", "未入统", "未纳统"})

# Longest first, so 未办理 is not read as 未办 followed by a note "理".
_APPROVAL_WORDS = sorted(
    {
        **dict.fromkeys(
            ("已办", "已办理", "已批复", "已取得", "完成", "已完成", "已办结", "已获批"),
            "已办",
        ),
        **dict.fromkeys(("在办", "办理中", "正在办理", "在办理", "审批中"), "在办"),
        **dict.fromkeys(("未办", "未办理", "未启动", "未开始", "未取得"), "未办"),
        # Nothing left to obtain: counted as done so that it does not show as missing.
        **dict.fromkeys(("不涉及", "无需办理", "无需"), "已办"),
    }.items(),
    key=lambda item: -len(item[0]),
)
# A month written next to the state: 已办(2024.3), 已办 2024年3月. Other notes, such as
# a document number 吉发改审批〔2024〕12号, carry no month and are ignored.
_MONTH_IN_NOTE = re.compile(r"\d{4}(?:年\d{1,2}月?|[-./]\d{1,2}(?:[-./]\d{1,2})?)")

_FUNDING_WORDS = (
    ("中央预算", "中央预算内"),
    ("专项债", "专项债"),
    ("PPP", "PPP"),
    ("政府和社会资本合作", "PPP"),
    ("自筹", "自筹"),
    ("自有", "自筹"),
    ("贷款", "贷款"),
    ("融资", "贷款"),
)
# 和 is not a separator: it is inside 政府和社会资本合作.
_FUNDING_SEPARATORS = re.compile(r"[、,，;；/\s+]+|及")

_CONSTRUCTION_TYPES = {
    "新建": "新建",
    "新开工": "新建",
    "续建": "续建",
    "扩建": "扩建",
    "改扩建": "扩建",
    "改建": "改建",
}
_LIBRARY_LEVELS = {
    **dict.fromkeys(("省级", "省重点", "省级重点", "省"), "省级"),
    **dict.fromkeys(("市级", "市重点", "市级重点", "市"), "市级"),
    **dict.fromkeys(("县级", "县重点", "县级重点", "县", "区级", "区重点", "区"), "县级"),
}
_PLAN_LEVELS = {
    "国家": "国家",
    "省": "省",
    "市": "市",
    "未": "否",
    "不": "否",
    "否": "否",
    "×": "否",
}
# What a clerk writes around the level: 纳入国家“十四五”规划, 省级规划, 未纳入.
# 落地状态, the furthest step a cell names: 已开工 > 已落地 > 已注册 > 已签约.
_LANDING_STEPS = (
    ("已开工", re.compile(r"开工|在建|施工")),
    ("已落地", re.compile(r"落地|供地|拿地|入驻")),
    ("已注册", re.compile(r"注册")),
    ("已签约", re.compile(r"签约|签订|签署")),
)

_PLAN_WORDS = re.compile(r"[“”\"'《》「」]|十四五|^纳入|纳入$|规划$|级$")

_LINES = re.compile(r"_x000D_|[\r\n\v\u2028\u2029]+")
_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_MOBILE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:\(0\d{2,3}\)|0\d{2,3})-?[2-9]\d{6,7}(?:(?:转|-|#|ext\.?)\d{1,6})?$")
_AREA_CODE = re.compile(r"^\(?0\d{2,3}\)?$")
_LOCAL_NUMBER = re.compile(r"^[2-9]\d{6,7}")


def parse_flag(value: object) -> bool | None:
    """是/否 and its spellings (√ ×, Y N, 已入统 未入统, 1 0) as True/False."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    text = clean_text(value)
    if text is None:
        return None
    word = squash(text).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(f"无法识别的“是/否”值“{text}”，请填写 是 或 否")


def parse_approval(value: object) -> tuple[str | None, date | None]:
    """(已办 / 在办 / 未办, month) of a 前期手续 cell; a date alone means 已办 in that month."""
    text = clean_text(value)
    if text is None:
        return None, None
    if isinstance(value, str):
        word = squash(text)
        for synonym, state in _APPROVAL_WORDS:
            if word.startswith(synonym):
                return state, _month_in_note(word[len(synonym) :], text)
    try:
        # A real date, a 2024.3 number or "2024年3月" text: done in that month.
        return "已办", parse_month(value)
    except CellError:
        raise CellError(
            f"无法识别的办理情况“{text}”，请填写 已办、在办 或 未办"
            "（已办可注明时间，如 已办(2024.3)）"
        ) from None


def _month_in_note(note: str, shown: str) -> date | None:
    match = _MONTH_IN_NOTE.search(note)
    if not match:
        return None
    try:
        return parse_month(match.group(0))
    except CellError:
        raise CellError(f"办理情况“{shown}”中的时间无法识别，请填写如 已办(2024.3)") from None


def parse_funding_sources(value: object) -> list[str] | None:
    """资金来源 as a sorted, de-duplicated list of contract.FUNDING_SOURCES codes.

    Unrecognised sources are kept as 其他 rather than rejected: the list is informative,
    and a county's own name for a fund is not an error.
    """
    parts = _split(value, _FUNDING_SEPARATORS)
    found = {_funding_code(part) for part in parts}
    return [source for source in FUNDING_SOURCES if source in found] or None


def _funding_code(part: str) -> str:
    word = squash(part).upper()
    for keyword, code in _FUNDING_WORDS:
        if keyword in word:
            return code
    return "其他"


def parse_construction_type(value: object) -> str | None:
    """建设性质 as 新建 / 续建 / 扩建 / 改建 (新开工 → 新建, 改扩建 → 扩建)."""
    text = clean_text(value)
    if text is None:
        return None
    word = squash(text).removesuffix("项目")
    if word in _CONSTRUCTION_TYPES:
        return _CONSTRUCTION_TYPES[word]
    raise CellError(f"无法识别的建设性质“{text}”，请填写 新建、续建、扩建 或 改建")


def parse_library_level(value: object) -> str | None:
    """项目级别 as 省级 / 市级 / 县级 (省重点 → 省级, 区级 → 县级)."""
    text = clean_text(value)
    if text is None:
        return None
    word = squash(text).removesuffix("项目")
    if word in _LIBRARY_LEVELS:
        return _LIBRARY_LEVELS[word]
    raise CellError(f"无法识别的项目级别“{text}”，请填写 省级、市级 或 县级")


def parse_plan_inclusion(value: object) -> str | None:
    """纳入“十四五”规划 as 国家 / 省 / 市 / 否.

    国家级 → 国家, 纳入省“十四五”规划 → 省, 未纳入 → 否.
    """
    text = clean_text(value)
    if text is None:
        return None
    word = squash(text)
    for _ in range(3):  # 纳入 … 规划 … 级, in any order the words come off
        word = _PLAN_WORDS.sub("", word)
    if word in _PLAN_LEVELS:
        return _PLAN_LEVELS[word]
    raise CellError(f"无法识别的规划纳入情况“{text}”，请填写 国家、省、市 或 否")


def parse_landing_status(value: object) -> str | None:
    """落地状态 as 已签约 / 已注册 / 已落地 / 已开工.

    签约未落地 → 已签约 (the words of a later step only count when not negated: 未开工 is
    not 已开工), 已供地 → 已落地, 开工建设 → 已开工.
    """
    text = clean_text(value)
    if text is None:
        return None
    word = re.sub(r"(未|尚未|没有|待)(开工|落地|供地|拿地|入驻|注册)", "", squash(text))
    for status, pattern in _LANDING_STEPS:
        if pattern.search(word):
            return status
    raise CellError(f"无法识别的落地状态“{text}”，请填写 已签约、已注册、已落地 或 已开工")


def split_people(value: object) -> list[str]:
    """The names in a 责任人 cell: "张三、李四" / "张三 李四" / one per line."""
    return _split(value, _LIST_SEPARATORS)


def split_phones(value: object) -> list[str]:
    """The numbers in a 联系电话 cell, each as written (half-width).

    "0432 6221234" is one landline, not two numbers; 22 digits in a row are two mobiles
    typed without a separator.
    """
    phones: list[str] = []
    for part in _split(value, _LIST_SEPARATORS):
        part = squash(part)
        if phones and _AREA_CODE.match(phones[-1]) and _LOCAL_NUMBER.match(part):
            phones[-1] = f"{phones[-1]}-{part}"
        else:
            phones.extend(_split_run_of_mobiles(part))
    return phones


def _split(value: object, separators: re.Pattern[str]) -> list[str]:
    """The items of a list cell. Line breaks separate items here, so each line is split
    on its own instead of letting clean_text join 张三⏎李四 into one name."""
    lines = _LINES.split(value) if isinstance(value, str) else [value]
    items = []
    for line in lines:
        text = clean_text(line)
        if text is not None:
            items.extend(separators.split(to_halfwidth(text)))
    return [item for item in items if not is_placeholder(item)]


def _split_run_of_mobiles(part: str) -> list[str]:
    if part.isdigit() and len(part) > 11 and len(part) % 11 == 0:
        chunks = [part[i : i + 11] for i in range(0, len(part), 11)]
        if all(_MOBILE.match(chunk) for chunk in chunks):
            return chunks
    return [part]


def is_valid_phone(s: str) -> bool:
    """A mainland mobile (1[3-9] + 9 digits) or a landline with area code (0xx(x)-xxxxxxx(x),
    dash optional, extension allowed)."""
    phone = squash(s or "")
    return bool(_MOBILE.match(phone) or _LANDLINE.match(phone))
