"""The data contract of a county submission (SPEC §2): the seven lists, their canonical
fields, the Chinese headers counties write, and the type of every field.

Everything that reads, writes or checks a workbook takes its names from here: the
template writer, the demo city, the header matcher and the raw tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    CODE = "code"  # 项目代码, normalised
    AMOUNT = "amount"  # money, stored in 万元
    RATIO = "ratio"  # plain number such as 覆盖倍数 1.3
    PERCENT = "percent"  # stored as a fraction: 8.5% -> 0.085
    MONTH = "month"  # first day of the month
    DAY = "day"  # a calendar day
    MONTH_RANGE = "month_range"  # 2023-2025 -> planned_start, planned_completion
    FLAG = "flag"  # 是/否/√/×/已入统
    APPROVAL = "approval"  # 已办/在办/未办 (+ date)
    FUNDING = "funding"  # set of 中央预算内/专项债/PPP/自筹/贷款/其他
    CONSTRUCTION_TYPE = "construction_type"  # 新建/续建/扩建/改建
    LIBRARY_LEVEL = "library_level"  # 省级/市级/县级
    PLAN_INCLUSION = "plan_inclusion"  # 国家/省/市/否: in which 十四五 plan the project is
    LANDING_STATUS = "landing_status"  # 已签约/已注册/已落地/已开工: a signed project's 落地状态
    INTEGER = "integer"


@dataclass(frozen=True)
class Field:
    name: str
    header: str  # the canonical Chinese header written in the template
    type: FieldType
    # Regular expressions matched against a normalised header (no spaces, half-width,
    # unit brackets removed). The first field whose pattern matches wins, so more
    # specific fields come first in FIELDS.
    patterns: tuple[str, ...] = ()
    unit_hint: str = ""  # shown in the template header, e.g. 万元
    help: str = ""  # one line for the 填报说明 sheet


def _f(name, header, type_, *patterns, unit="", help=""):
    return Field(name, header, type_, tuple(patterns) or (re.escape(header),), unit, help)


T = FieldType

# 前期手续 (二(五)): the five approvals a planned start needs, as (field suffix, label,
# header patterns of the label).
APPROVALS = (
    ("project", "立项", r"(立项|审批核准备案)"),
    ("land", "用地", r"(用地|土地)"),
    ("planning", "规划", r"规划(许可)?"),
    ("environment", "环评", r"(环评|环境影响)"),
    ("construction", "施工许可", r"施工许可"),
)


def _approval_timing_fields() -> tuple[Field, ...]:
    """二(十三) approval timeliness: each approval's 申请日期, 办结日期 and 在线办理 (是/否).
    They precede the approvals' own fields, whose patterns (立项, 用地 …) match them too."""
    fields = []
    for key, label, words in APPROVALS:
        fields += [
            _f(
                f"approval_{key}_applied_on",
                f"{label}申请日期",
                T.DAY,
                rf"^{words}.*(申请|申报|受理)(日期|时间)",
                help=f"{label}手续提出申请（受理）的日期",
            ),
            _f(
                f"approval_{key}_done_on",
                f"{label}办结日期",
                T.DAY,
                rf"^{words}.*(办结|批复|取得|完成)(日期|时间)",
                help=f"{label}手续办结（取得批复）的日期",
            ),
            _f(
                f"approval_{key}_online",
                f"{label}在线办理",
                T.FLAG,
                rf"^{words}.*(在线|网上)(办理|审批)",
                help=f"{label}手续是否通过在线审批监管平台办理（是/否）",
            ),
        ]
    return tuple(fields)


# Order matters: the header matcher tries fields in this order.
FIELDS: tuple[Field, ...] = (
    _f("seq", "序号", T.TEXT, r"^序号$", r"^编号$"),
    _f(
        "project_code",
        "项目代码",
        T.CODE,
        r"项目(统一)?代码",
        r"项目编码",
        r"^赋码",
        r"统一代码",
        help="全国投资项目在线审批监管平台赋码，格式 2024-220281-48-01-123456",
    ),
    _f("project_name", "项目名称", T.TEXT, r"^项目名称", r"^名称$"),
    _f(
        "project_owner",
        "项目法人",
        T.TEXT,
        r"项目法人",
        r"建设单位",
        r"业主单位",
        r"^项目单位",
        r"实施主体",
        help="项目法人单位全称",
    ),
    _f("location", "建设地点", T.TEXT, r"建设地点", r"项目地点", r"^所在地"),
    _f("sector", "行业领域", T.TEXT, r"行业领域", r"所属行业", r"^行业"),
    _f("construction_type", "建设性质", T.CONSTRUCTION_TYPE, r"建设性质"),
    _f("scope", "建设规模及主要内容", T.TEXT, r"建设规模", r"建设内容", r"主要内容"),
    # Sub-amounts of 总投资 (其中：中央预算内/专项债/自筹/贷款) before 总投资 itself.
    _f("central_budget_wan", "其中：中央预算内", T.AMOUNT, r"中央预算内", unit="万元"),
    _f(
        "special_bond_funding_wan",
        "其中：专项债",
        T.AMOUNT,
        r"^(其中[:：]?)?专项债(券)?(资金)?$",
        unit="万元",
    ),
    _f("self_funded_wan", "其中：自筹", T.AMOUNT, r"自筹", unit="万元"),
    _f("loan_wan", "其中：贷款", T.AMOUNT, r"贷款", unit="万元"),
    _f(
        "total_investment_wan",
        "总投资",
        T.AMOUNT,
        r"总投资",
        unit="万元",
        help="项目总投资，万元；如填亿元请在表头或单元格注明",
    ),
    _f(
        "ytd_completed_wan",
        "1-X月累计完成投资",
        T.AMOUNT,
        r"累计完成",
        r"^(\d{1,2}-)?\d{1,2}月(份)?完成投资",
        r"本年完成投资",
        unit="万元",
        help="本年1月至本月累计完成投资，万元",
    ),
    _f(
        "annual_plan_wan",
        "年度计划投资",
        T.AMOUNT,
        r"年度计划投资",
        r"^(本年|\d{4}年)(度)?计划(完成)?投资",
        r"^年度计划$",
        unit="万元",
    ),
    _f(
        "construction_period",
        "建设起止年限",
        T.MONTH_RANGE,
        r"起止年限",
        r"建设年限",
        r"建设期限",
        help="如 2023-2025 或 2023.3-2025.10",
    ),
    _f("planned_start", "计划开工时间", T.MONTH, r"计划开工", r"拟开工时间", r"预计开工"),
    _f("actual_start", "实际开工时间", T.MONTH, r"实际开工", r"^开工时间$", r"^开工日期$"),
    _f("resume_month", "复工时间", T.MONTH, r"复工时间", r"复工日期"),
    # Before 计划竣工时间, whose "竣工时间" would take 实际竣工时间 too.
    _f(
        "actual_completion",
        "实际竣工时间",
        T.MONTH,
        r"实际竣工",
        r"实际完工",
        r"^竣工日期$",
        help="项目竣工（完工）的月份；已竣工项目填报后，次月可从在建清单中移出",
    ),
    _f("planned_completion", "计划竣工时间", T.MONTH, r"计划竣工", r"计划完工", r"竣工时间"),
    _f("target_task", "目标任务", T.TEXT, r"目标任务", r"年度目标"),
    _f("responsible_unit", "责任单位", T.TEXT, r"^责任单位", r"^牵头单位"),
    _f(
        "responsible_person",
        "责任人",
        T.TEXT,
        r"^责任人",
        r"包保领导",
        r"^包保责任人",
        help="包保领导/责任人姓名，多人用、分隔",
    ),
    _f("contact_phone", "联系电话", T.TEXT, r"联系电话", r"联系方式", r"^电话$"),
    _f(
        "funding_sources",
        "资金来源",
        T.FUNDING,
        r"资金来源",
        help="中央预算内/专项债/PPP/自筹/贷款/其他，多项用、分隔",
    ),
    _f("library_level", "项目级别", T.LIBRARY_LEVEL, r"项目级别", r"重点级别", r"项目层级"),
    _f(
        "plan_inclusion",
        "纳入“十四五”规划",
        T.PLAN_INCLUSION,
        r"十四五",
        r"纳入.*规划",
        r"^规划(层级|级别)$",
        help="国家/省/市/否：项目纳入哪一级“十四五”规划（二(七)）",
    ),
    _f("stats_entry_month", "入统时间", T.MONTH, r"^入统时间", r"^入统月份", r"^纳统时间"),
    _f("expected_stats_month", "预计入统时间", T.MONTH, r"预计入统", r"计划入统"),
    _f("in_stats", "是否入统", T.FLAG, r"是否(已)?入统", r"入统情况", r"是否纳统"),
    _f("unstated_reason", "未入统原因", T.TEXT, r"未入统原因", r"未纳统原因"),
    *_approval_timing_fields(),
    _f("approval_project", "立项", T.APPROVAL, r"立项", r"审批核准备案"),
    _f("approval_land", "用地", T.APPROVAL, r"用地", r"土地"),
    _f("approval_planning", "规划", T.APPROVAL, r"^(前期手续)?规划(许可)?$", r"规划许可"),
    _f("approval_environment", "环评", T.APPROVAL, r"环评", r"环境影响"),
    _f("approval_construction", "施工许可", T.APPROVAL, r"施工许可"),
    _f("is_three_early", "三早项目", T.FLAG, r"三早"),
    _f("is_winter_continuous", "冬季不停工", T.FLAG, r"冬季不停工", r"冬季施工"),
    _f(
        "bond_amount_wan", "专项债券申请金额", T.AMOUNT, r"申请(金)?额", r"申报(金)?额", unit="万元"
    ),
    _f("bond_issued_wan", "专项债券发行金额", T.AMOUNT, r"发行(金)?额", r"已发行", unit="万元"),
    _f("expected_revenue_wan", "预期收入", T.AMOUNT, r"预期(收入|收益)", r"项目收益", unit="万元"),
    _f("cost_wan", "成本", T.AMOUNT, r"^(融资)?成本", r"还本付息", unit="万元"),
    _f("coverage_ratio", "覆盖倍数", T.RATIO, r"覆盖倍数"),
    _f(
        "bond_rate",
        "债券利率",
        T.PERCENT,
        r"利率",
        unit="%",
        help="专项债券票面利率，如 3.2%；不填按3%测算本息",
    ),
    _f(
        "bond_term_years",
        "债券期限",
        T.INTEGER,
        r"债券期限",
        r"发行期限",
        r"^期限$",
        unit="年",
        help="专项债券期限（年），如 10；不填按10年测算本息",
    ),
    _f(
        "bond_spent_wan",
        "已支出金额",
        T.AMOUNT,
        r"已支出",
        r"支出(金)?额",
        r"已使用(金)?额",
        unit="万元",
        help="已发行债券资金中已实际支出的金额（支出进度）",
    ),
    # 招商引资 (二(八)): the signed project's investor, agreement and how far it has landed.
    _f(
        "investor",
        "签约企业",
        T.TEXT,
        r"签约(企业|单位|主体|方)",
        r"^投资(方|企业|主体)",
        r"^客商",
        help="与本地签订投资协议的企业（投资方）全称",
    ),
    _f("signed_on", "签约时间", T.DAY, r"签约(时间|日期)", help="投资协议签订日期，如 2026-03-18"),
    _f(
        "signed_amount_wan",
        "签约金额",
        T.AMOUNT,
        r"签约(投资)?(金)?额",
        r"协议(投资)?(金)?额",
        r"合同(投资)?(金)?额",
        unit="万元",
        help="投资协议约定的投资额，万元",
    ),
    _f(
        "funds_in_place_wan",
        "到位资金",
        T.AMOUNT,
        r"到位资金",
        r"到位(金)?额",
        unit="万元",
        help="投资方累计实际到位的资金，万元",
    ),
    _f(
        "landing_status",
        "落地状态",
        T.LANDING_STATUS,
        r"落地(状态|情况|进度)",
        r"^推进状态$",
        help="已签约/已注册/已落地/已开工：已开工的项目同时列入在建项目清单",
    ),
    _f("planning_stage", "项目阶段", T.TEXT, r"项目阶段", r"推进阶段", r"谋划阶段"),
    _f("issue_type", "问题类型", T.TEXT, r"问题类型", r"问题分类"),
    _f("issue_description", "问题描述", T.TEXT, r"问题描述", r"存在问题", r"问题内容"),
    _f("issue_raised_on", "提出日期", T.DAY, r"提出(日期|时间)"),
    _f("issue_department", "责任部门", T.TEXT, r"责任部门", r"协调部门"),
    _f("issue_deadline", "办结时限", T.DAY, r"办结时限", r"完成时限"),
    _f("issue_status", "办理状态", T.TEXT, r"办理状态", r"办理情况", r"进展情况"),
    _f("issue_resolved_on", "解决日期", T.DAY, r"解决(日期|时间)", r"办结(日期|时间)"),
    _f(
        "status_note",
        "状态说明",
        T.TEXT,
        r"^状态说明",
        r"^项目状态$",
        r"^变动说明",
        r"^退出原因",
        help="项目已竣工、终止、暂缓或调出清单时，说明情况（如“已竣工验收”）",
    ),
    _f("remarks", "备注", T.TEXT, r"^备注"),
)

FIELD_BY_NAME = {f.name: f for f in FIELDS}

# Columns derived from other columns rather than read from one header.
DERIVED_FIELDS: dict[str, FieldType] = {
    "planned_start": T.MONTH,  # also from construction_period
    "planned_completion": T.MONTH,
}

# Coded values (SPEC §2 code lists); the template offers them as drop-downs.
CONSTRUCTION_TYPES = ("新建", "续建", "扩建", "改建")
YES_NO = ("是", "否")
APPROVAL_STATES = ("已办", "在办", "未办")
FUNDING_SOURCES = ("中央预算内", "专项债", "PPP", "自筹", "贷款", "其他")
LIBRARY_LEVELS = ("省级", "市级", "县级")
PLAN_INCLUSIONS = ("国家", "省", "市", "否")
# A signed project's way to the site: agreement signed, company registered, land and
# approvals in hand (落地), construction started.
LANDING_STATUSES = ("已签约", "已注册", "已落地", "已开工")
ISSUE_STATUSES = ("未办结", "办理中", "已办结")
ISSUE_TYPES = ("用地", "规划", "环评", "资金", "审批", "征拆", "施工条件", "其他")
PLANNING_STAGES = ("谋划", "前期", "招商", "待开工")
SECTORS = (
    "工业",
    "农业",
    "交通",
    "水利",
    "能源",
    "城建",
    "社会事业",
    "生态环保",
    "服务业",
    "新基建",
)


@dataclass(frozen=True)
class ProjectList:
    key: str  # the raw table name
    title: str  # the canonical sheet name
    clause: str
    cadence: str  # monthly | weekly
    columns: tuple[str, ...]  # field names, in template order
    # Sheet names are recognised by these words after removing 附件N, 清单, spaces.
    name_patterns: tuple[str, ...]
    # Fields whose presence identifies the list when the sheet name does not.
    signature: tuple[str, ...] = field(default=())


_PERSON = ("responsible_unit", "responsible_person", "contact_phone")

LISTS: tuple[ProjectList, ...] = (
    ProjectList(
        "under_construction",
        "在建项目",
        "二(一)",
        "monthly",
        (
            "seq",
            "project_code",
            "project_name",
            "project_owner",
            "location",
            "sector",
            "construction_type",
            "scope",
            "total_investment_wan",
            "central_budget_wan",
            "special_bond_funding_wan",
            "annual_plan_wan",
            "ytd_completed_wan",
            "planned_start",
            "actual_start",
            "resume_month",
            "planned_completion",
            "actual_completion",
            "target_task",
            *_PERSON,
            "funding_sources",
            "library_level",
            "plan_inclusion",
            "in_stats",
            "stats_entry_month",
            "is_three_early",
            "is_winter_continuous",
            "status_note",
            "remarks",
        ),
        (r"在建",),
        ("annual_plan_wan", "ytd_completed_wan"),
    ),
    ProjectList(
        "unstated",
        "已开工未入统",
        "二(二)",
        "weekly",
        (
            "seq",
            "project_code",
            "project_name",
            "project_owner",
            "location",
            "sector",
            "total_investment_wan",
            "actual_start",
            "ytd_completed_wan",
            "expected_stats_month",
            "unstated_reason",
            "in_stats",
            "stats_entry_month",
            *_PERSON,
            "library_level",
            "remarks",
        ),
        (r"未入统", r"未纳统"),
        ("expected_stats_month", "unstated_reason"),
    ),
    ProjectList(
        "special_bonds",
        "专项债券项目",
        "二(四)",
        "monthly",
        (
            "seq",
            "project_code",
            "project_name",
            "project_owner",
            "location",
            "sector",
            "total_investment_wan",
            "bond_amount_wan",
            "bond_issued_wan",
            "expected_revenue_wan",
            "cost_wan",
            "coverage_ratio",
            "bond_rate",
            "bond_term_years",
            "bond_spent_wan",
            "planned_start",
            "actual_start",
            *_PERSON,
            "library_level",
            "status_note",
            "remarks",
        ),
        (r"专项债",),
        ("bond_amount_wan", "coverage_ratio"),
    ),
    ProjectList(
        "planned_next_year",
        "明年拟开工",
        "二(三)、二(五)",
        "monthly",
        (
            "seq",
            "project_code",
            "project_name",
            "project_owner",
            "location",
            "sector",
            "construction_type",
            "scope",
            "total_investment_wan",
            "planned_start",
            "planned_completion",
            *(
                name
                for key, _, _ in APPROVALS
                for name in (
                    f"approval_{key}",
                    f"approval_{key}_applied_on",
                    f"approval_{key}_done_on",
                    f"approval_{key}_online",
                )
            ),
            "is_three_early",
            "funding_sources",
            *_PERSON,
            "library_level",
            "plan_inclusion",
            "status_note",
            "remarks",
        ),
        (r"拟开工", r"拟新开工", r"计划开工"),
        ("approval_land", "approval_environment"),
    ),
    ProjectList(
        "major_planning",
        "重大谋划项目",
        "二(七)",
        "monthly",
        (
            "seq",
            "project_name",
            "project_owner",
            "location",
            "sector",
            "scope",
            "total_investment_wan",
            "construction_period",
            "planning_stage",
            "funding_sources",
            *_PERSON,
            "library_level",
            "plan_inclusion",
            "status_note",
            "remarks",
        ),
        (r"谋划",),
        ("planning_stage", "construction_period"),
    ),
    ProjectList(
        "investment_attraction",
        "招商引资签约项目",
        "二(八)",
        "monthly",
        (
            "seq",
            "project_code",
            "project_name",
            "investor",
            "project_owner",
            "location",
            "sector",
            "scope",
            "total_investment_wan",
            "signed_on",
            "signed_amount_wan",
            "funds_in_place_wan",
            "landing_status",
            "planned_start",
            *_PERSON,
            "library_level",
            "status_note",
            "remarks",
        ),
        (r"招商", r"签约"),
        ("signed_on", "signed_amount_wan"),
    ),
    ProjectList(
        "issue_ledger",
        "问题台账",
        "三(四)",
        "monthly",
        (
            "seq",
            "project_code",
            "project_name",
            "issue_type",
            "issue_description",
            "issue_raised_on",
            "issue_department",
            "issue_deadline",
            "issue_status",
            "issue_resolved_on",
            "responsible_unit",
            "responsible_person",
            "remarks",
        ),
        (r"问题", r"台账"),
        ("issue_description", "issue_department"),
    ),
)

LIST_BY_KEY = {lst.key: lst for lst in LISTS}


# The statistics bureau's file (统计局_固定资产投资.xlsx): one row per region.
@dataclass(frozen=True)
class StatField:
    name: str
    header: str
    type: FieldType
    patterns: tuple[str, ...]


STATISTICS_FIELDS: tuple[StatField, ...] = (
    StatField("region", "地区", T.TEXT, (r"^地区", r"^县\(市、?区\)", r"^单位$", r"^区域")),
    StatField("private_share", "民间投资占比", T.PERCENT, (r"民间投资占比", r"民间.*比重")),
    StatField("private_ytd_wan", "民间投资本年累计", T.AMOUNT, (r"民间投资",)),
    StatField("fai_prev_ytd_wan", "上年同期", T.AMOUNT, (r"上年同期",)),
    StatField("fai_growth", "增速", T.PERCENT, (r"增速", r"增长")),
    StatField("fai_ytd_wan", "固定资产投资本年累计", T.AMOUNT, (r"固定资产投资", r"本年累计")),
)

STATISTICS_FILE_PATTERN = re.compile(r"统计局")


# The minutes of a 协调推进会 (会议纪要, 三(四)), raw/meetings/<meeting day>_….xlsx: one row
# per decision (议定事项) with the department that owns it, its deadline and, as the
# minutes are sent again with progress, how far it has got.
MEETING_DECISIONS = "meeting_decisions"
MEETING_DECISION_FIELDS: tuple[Field, ...] = (
    _f("seq", "序号", T.TEXT, r"^序号$", r"^编号$"),
    _f(
        "decision",
        "议定事项",
        T.TEXT,
        r"议定(事项|内容)",
        r"(会议)?决定事项",
        r"^会议(决定|议定|要求)",
        r"^(工作|督办)?(任务|事项)(内容)?$",
        help="会议议定的事项，一行一项",
    ),
    _f("project_name", "涉及项目", T.TEXT, r"^(涉及|关联|相关)?项目(名称)?$"),
    _f("region", "涉及地区", T.TEXT, r"^(涉及|所属|相关)?地区$", r"^县\(市、?区\)$"),
    _f(
        "owner_department",
        "责任单位",
        T.TEXT,
        r"^(牵头|责任|承办|落实)(单位|部门)",
        help="牵头落实的部门或单位；多个单位时第一个为牵头单位",
    ),
    _f("responsible_person", "责任人", T.TEXT, r"^责任人", r"^联系人$"),
    _f(
        "deadline",
        "完成时限",
        T.DAY,
        r"(完成|办结|落实)时限",
        r"^时限(要求)?$",
        r"^完成时间$",
        help="议定事项的完成时限，如 2026-12-31",
    ),
    _f("decision_status", "落实情况", T.TEXT, r"落实(情况|状态|进展)", r"办理(状态|情况)", r"进展"),
    _f("resolved_on", "办结日期", T.DAY, r"(办结|完成|落实)(日期|时间)$"),
    _f("remarks", "备注", T.TEXT, r"^备注"),
)


# Which fields a submission must fill in (SPEC §2, the "required" column), per list:
# "error" blocks the publication gate, "warn" is reported only. This table is the one
# source of the rules' severities: the template marks the error-level headers with "*",
# the suites in expectations/ are checked against it when they load (a suite that makes
# an error of what this table does not is refused), and an unreadable cell is an error
# only in a field this table makes an error. A field SPEC marks "by list" (the start
# months, 入统) is at most a warning where the list needs it.
def _required() -> dict[str, dict[str, str]]:
    # The project lists share these where they carry them.
    project_error = (
        "project_name",
        "project_owner",
        "location",
        "total_investment_wan",
        "responsible_person",  # 三(一): every project has its 包保 leader
    )
    project_warn = ("sector", "construction_type", "responsible_unit")
    by_list: dict[str, dict[str, str]] = {
        "under_construction": {
            "project_code": "warn",
            "annual_plan_wan": "error",
            "ytd_completed_wan": "error",
            "actual_start": "warn",
            "target_task": "warn",  # 三(一): every project states its 目标任务
        },
        "unstated": {
            "project_code": "warn",
            "actual_start": "warn",  # the list exists because the project has started
            "expected_stats_month": "warn",
        },
        "special_bonds": {
            "project_code": "warn",
            "bond_amount_wan": "error",
            "bond_issued_wan": "error",
            "expected_revenue_wan": "error",
            "cost_wan": "error",
            "coverage_ratio": "error",
        },
        "planned_next_year": {
            "planned_start": "warn",  # 倒排工期 needs the planned start
            "approval_project": "warn",
            "approval_land": "warn",
            "approval_planning": "warn",
            "approval_environment": "warn",
            "approval_construction": "warn",
        },
        "major_planning": {},
        # A signed project may not have its 项目法人 registered yet, and its 签约金额
        # stands for the investment until a 总投资 is known.
        "investment_attraction": {
            "project_owner": "warn",
            "total_investment_wan": "warn",
            "investor": "error",
            "signed_on": "error",
            "signed_amount_wan": "error",
            "funds_in_place_wan": "warn",
            "landing_status": "warn",
        },
    }
    table: dict[str, dict[str, str]] = {}
    for lst in LISTS:
        if lst.key == "issue_ledger":
            # SPEC §2: error on a missing 责任部门 (escalation needs it), 项目名称 warn, no
            # other field required.
            levels = {"issue_department": "error", "project_name": "warn"}
        else:
            levels = {f: "error" for f in project_error if f in lst.columns}
            levels |= {f: "warn" for f in project_warn if f in lst.columns}
            levels |= by_list[lst.key]
        table[lst.key] = {f: levels[f] for f in lst.columns if f in levels}
    return table


REQUIRED: dict[str, dict[str, str]] = _required()

# Rules beyond "filled in" that the contract makes errors: 总投资 must be > 0 where it is
# required as an error (SPEC §2: "error, > 0"). Every other value rule (formats,
# thresholds, 累计 ≤ 总投资, duplicates) is a warning.
ERROR_VALUE_RULES: dict[str, frozenset[str]] = {
    key: frozenset({"total_investment_positive"})
    if fields.get("total_investment_wan") == "error"
    else frozenset()
    for key, fields in REQUIRED.items()
}


def field_severity(list_key: str | None, field: str | None) -> str:
    """How serious a problem with one field of one list is: "error" only where the
    contract requires the field as an error, else "warn"."""
    return REQUIRED.get(list_key or "", {}).get(field or "") or "warn"
