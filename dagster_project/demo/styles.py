"""How each submitter lays out its workbook.

Most submitters fill the official template; a few still send the sheets they have always
sent (title rows, merged headers, 合计 and section rows, 亿元, loose cell values), and one
county sends GBK CSV files. The assignment is fixed per region code, so a submitter keeps
its habits month after month.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from dagster_project.contract import APPROVALS


@dataclass(frozen=True)
class Style:
    name: str
    layout: str = "official"  # official | old | csv
    file_name: str = "code_name"  # code_name | name_month | alias_month | anonymous
    unit: str = "万元"  # 万元 | 亿元
    unit_in_headers: tuple[str, ...] = ()  # lists whose headers, not title, state the unit
    title_rows: int = 0  # old layout: 附件N / 清单 title / 填报单位 rows above the header
    merged_header: bool = False  # 总投资 over 合计|其中…, 前期手续 over 立项|用地|…
    synonyms: bool = False  # 建设单位, 包保领导, 本年累计完成, 计划总投资, 所属行业, 项目编码
    totals: str = ""  # "" | first | last: where the 合计 row goes
    sections: str = ""  # "" | header (一、产业项目 carries the subtotal) | subtotal (小计 rows)
    seq: str = "arabic"  # arabic 1,2,3 | chinese 一/(一)/1 | dotted 1.1
    merge_units: bool = False  # vertically merged 责任单位 cells
    hidden_row: bool = False  # one real data row hidden
    dates: str = "excel"  # excel | dot 2024.3 | cn 2024年3月 | dash 2024-03 | mixed
    yes_no: str = "是否"  # 是否 | tick √/×
    noise: float = 0.02  # share of cells written loosely (text numbers, placeholders, …)
    dropped: tuple[str, ...] = ()  # optional columns an old sheet does not have
    dropped_lists: tuple[str, ...] = ()  # optional lists an old workbook does not have
    sheet_names: str = (
        "title"  # title 在建项目 | annex 附件1 在建项目清单 | list 在建项目清单 | short 1.在建
    )


# The bond list's 财务评价 and 支出进度 columns, which the older layouts do not have.
BOND_TERMS = ("bond_rate", "bond_term_years", "bond_spent_wan")
# The planned list's 申请日期 / 办结日期 / 在线办理 of each approval (二(十三)), likewise.
APPROVAL_TIMING = tuple(
    f"approval_{key}_{aspect}"
    for key, _, _ in APPROVALS
    for aspect in ("applied_on", "done_on", "online")
)

# The 招商引资 list (二(八)), which two of the older layouts do not send.
ATTRACTION = "investment_attraction"

OFFICIAL = Style("official")
OLD_MERGED = Style(
    "old_merged",
    layout="old",
    title_rows=3,
    merged_header=True,
    synonyms=True,
    totals="first",
    sections="header",
    seq="chinese",
    merge_units=True,
    dates="dot",
    noise=0.08,
    dropped=(
        "resume_month",
        "library_level",
        "is_three_early",
        "plan_inclusion",
        *BOND_TERMS,
        *APPROVAL_TIMING,
    ),
    dropped_lists=(ATTRACTION,),
    sheet_names="annex",
)
OLD_YI = Style(
    "old_yi",
    layout="old",
    unit="亿元",
    unit_in_headers=("special_bonds",),
    title_rows=3,
    totals="last",
    sections="subtotal",
    hidden_row=True,
    dates="cn",
    yes_no="tick",
    noise=0.1,
    dropped=("scope", "plan_inclusion", "status_note", *BOND_TERMS, *APPROVAL_TIMING),
    sheet_names="list",
)
OLD_LOOSE = Style(
    "old_loose",
    layout="old",
    title_rows=2,
    synonyms=True,
    totals="last",
    sections="subtotal",
    seq="dotted",
    merge_units=True,
    hidden_row=True,
    dates="mixed",
    noise=0.15,
    sheet_names="short",
)
OLD_HEADER = Style(
    "old_header",
    layout="old",
    title_rows=3,
    merged_header=True,
    totals="first",
    dates="excel",
    noise=0.05,
    dropped=("library_level", "plan_inclusion", *BOND_TERMS, *APPROVAL_TIMING),
    dropped_lists=(ATTRACTION,),
    sheet_names="annex",
)
CSV = Style("csv", layout="csv", dates="dash", noise=0.03)

# The demo city's submitters that do not simply fill the template.
_CITY_STYLES = {
    "220204": OLD_MERGED,  # 船营区
    "220281": OLD_YI,  # 蛟河市
    "220282": OLD_LOOSE,  # 桦甸市
    "220273": OLD_HEADER,  # 中新食品区
    "220283": CSV,  # 舒兰市
    "220211": replace(OFFICIAL, name="official_name_month", file_name="name_month"),  # 丰满区
    "220271": replace(OFFICIAL, name="official_alias", file_name="alias_month"),  # 高新区
    "220274": replace(OFFICIAL, name="official_anonymous", file_name="anonymous"),  # 北大湖
}


def style_for(region_code: str) -> Style:
    """The demo city's styles as listed; elsewhere in the province about one submitter in
    eight keeps old sheets and one in fifty sends CSV (never in 亿元: that is 蛟河's habit)."""
    if region_code in _CITY_STYLES:
        return _CITY_STYLES[region_code]
    if region_code.startswith("2202"):
        return OFFICIAL
    draw = random.Random(f"style:{region_code}").random()
    if draw < 0.02:
        return CSV
    if draw < 0.06:
        return OLD_MERGED
    if draw < 0.10:
        return OLD_LOOSE
    if draw < 0.14:
        return OLD_HEADER
    return OFFICIAL
