"""The 通报's tables, built from the content: one Table per figure, the same for the Word
document, the page and the workbook."""

from __future__ import annotations

from collections import Counter

from dagster_project.publish.bulletin.content import BulletinContent
from dagster_project.publish.bulletin.document import (
    CHANGE,
    COUNT,
    DATE,
    PP,
    RATE,
    TEXT,
    WAN,
    WEEKS,
    Column,
    Table,
)

# 擂台 indicators (二(十一)) in the order of the plan; a count reads whole.
ARENA_INDICATORS = (
    "fai_growth",
    "big_project_count",
    "new_start_count",
    "start_resume_rate",
    "central_budget_start_rate",
    "special_bond_start_rate",
)
COUNT_INDICATORS = {"big_project_count", "new_start_count"}
# 绩效考核 indicators (三(三)), with the headings of the table.
ASSESSMENT_INDICATORS = {
    "fai_growth": "固定资产投资增速",
    "private_investment_share": "民间投资占比",
    "big_project_investment_share": "5000万元以上项目投资占比",
    "big_project_count_growth": "5000万元以上项目数量增速",
}
NO_LEADER = "（未登记分管副市长）"
RED_LIST_LIMIT = 30  # the document lists the largest; the workbook lists them all

_GROUP = Column("排名组", TEXT, 11, nowrap=True)
_REGION = Column("地区", TEXT, 20, nowrap=True)


REGIONS_DIR = "地区"  # the drill-down pages, beside the bulletin's page


def region_link(code: str | None) -> str | None:
    """The drill-down page of a region's projects, relative to the bulletin's page."""
    return f"{REGIONS_DIR}/{code}.html" if code else None


def linked_region(link: str | None) -> str | None:
    """The region code a link of region_link points to."""
    prefix = f"{REGIONS_DIR}/"
    if link and link.startswith(prefix) and link.endswith(".html"):
        return link[len(prefix) : -len(".html")]
    return None


def arena_tables(content: BulletinContent, rank_group: str) -> tuple[Table, ...]:
    """One rank group's 擂台, a table per indicator: the regions in rank order with the
    value (as a rate or a count), last month's rank and the change."""
    tables = []
    for indicator in ARENA_INDICATORS:
        rows = sorted(
            (
                r
                for r in content.arena
                if r["rank_group"] == rank_group and r["indicator"] == indicator
            ),
            key=lambda r: (r["rank"] is None, r["rank"] or 0, r["region_code"]),
        )
        if not rows:
            continue
        kind = COUNT if indicator in COUNT_INDICATORS else RATE
        tables.append(
            Table(
                f"{rows[0]['indicator_name_zh']}（{rank_group}）",
                (
                    Column("名次", COUNT, 6),
                    Column("上月名次", COUNT, 7),
                    Column("变化", CHANGE, 6),
                    _REGION,
                    Column("指标值", kind, 10),
                    Column("说明", TEXT, 30),
                ),
                tuple(
                    (
                        r["rank"],
                        r["previous_rank"],
                        r["rank_change"],
                        r["region_name"],
                        _arena_value(r),
                        r["note_zh"],
                    )
                    for r in rows
                ),
                links=tuple(region_link(r["region_code"]) for r in rows),
                in_document=False,
            )
        )
    return tuple(tables)


def _arena_value(row: dict):
    value = row["value"]
    if value is not None and row["indicator"] in COUNT_INDICATORS:
        return round(value)
    return value


def arena_overview(content: BulletinContent, rank_group: str) -> Table:
    """Region × indicator ranks, regions in code order."""
    ranks: dict[str, dict[str, tuple]] = {}  # region → indicator → (rank, change)
    names: dict[str, str] = {}
    headings: dict[str, str] = {}
    for r in content.arena:
        if r["rank_group"] == rank_group:
            ranks.setdefault(r["region_code"], {})[r["indicator"]] = (r["rank"], r["rank_change"])
            names[r["region_code"]] = r["region_name"]
            headings[r["indicator"]] = r["indicator_name_zh"]
    codes = sorted(ranks)
    columns = [_REGION]
    for k in ARENA_INDICATORS:
        columns += [Column(f"{headings.get(k, k)}名次", COUNT, 9), Column("变化", CHANGE, 5)]
    return Table(
        f"擂台名次总览（{rank_group}）",
        tuple(columns),
        tuple(
            (names[c], *(v for k in ARENA_INDICATORS for v in ranks[c].get(k, (None, None))))
            for c in codes
        ),
        links=tuple(region_link(c) for c in codes),
    )


def assessment_table(content: BulletinContent, rank_group: str) -> Table:
    rows = [r for r in content.assessment if r["rank_group"] == rank_group]
    columns = [
        Column("综合排名", COUNT, 7),
        Column("上月", COUNT, 6),
        Column("变化", CHANGE, 6),
        _REGION,
    ]
    for label in ASSESSMENT_INDICATORS.values():
        columns += [Column(label, RATE, 11), Column("名次", COUNT, 6)]
    columns += [Column("名次之和", COUNT, 8), Column("说明", TEXT, 28)]
    return Table(
        f"绩效考核综合排名（{rank_group}）",
        tuple(columns),
        tuple(
            (
                r["composite_rank"],
                r["previous_composite_rank"],
                r["composite_rank_change"],
                r["region_name"],
                *(v for k in ASSESSMENT_INDICATORS for v in (r.get(k), r[f"{k}_rank"])),
                _whole(r["rank_sum"]),
                r["note_zh"],
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
    )


def _whole(value):
    """A rank sum is whole with the default equal weights; show it so."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def progress_table(content: BulletinContent) -> Table:
    rows = content.progress
    return Table(
        "在建、已开工未入统、冬季不停工项目推进情况",
        (
            _GROUP,
            _REGION,
            Column("在建项目个数", COUNT, 8),
            Column("在建项目总投资（万元）", WAN, 12),
            Column("本年累计完成投资（万元）", WAN, 12),
            Column("年度计划完成率", RATE, 9),
            Column("与序时进度差（百分点）", PP, 9),
            Column("已开工未入统个数", COUNT, 8),
            Column("开工最长周数", WEEKS, 7),
            Column("超预计入统月份个数", COUNT, 8),
            Column("本月入统个数", COUNT, 7),
            Column("冬季不停工项目个数", COUNT, 8),
            Column("冬季不停工本年完成（万元）", WAN, 12),
        ),
        tuple(
            (
                "" if r["is_total"] else r["rank_group"],
                "全市合计" if r["is_total"] else r["region_name"],
                r["under_construction_count"],
                r["total_investment_wan"],
                r["ytd_completed_wan"],
                r["completion_rate"],
                r["schedule_gap_pp"],
                r["unstated_count"],
                r["unstated_max_weeks"],
                r["unstated_past_expected"],
                r["entered_this_month"],
                r["winter_count"],
                r["winter_ytd_completed_wan"],
            )
            for r in rows
        ),
        has_total=bool(rows) and rows[-1]["is_total"],
        links=tuple(None if r["is_total"] else region_link(r["region_code"]) for r in rows),
    )


def comparison_table(content: BulletinContent) -> Table:
    rows = content.comparison
    return Table(
        "年度计划完成率和新开工项目的环比、同比",
        (
            _GROUP,
            _REGION,
            Column("年度计划完成率", RATE, 9),
            Column("环比（百分点）", PP, 9),
            Column("同比（百分点）", PP, 9),
            Column("本年新开工个数", COUNT, 8),
            Column("环比增减", COUNT, 8),
            Column("同比增减", COUNT, 8),
        ),
        tuple(
            (
                r["rank_group"],
                r["region_name"],
                r["completion_rate"],
                r["completion_rate_mom_pp"],
                r["completion_rate_yoy_pp"],
                r["new_start_count"],
                r["new_start_count_mom"],
                r["new_start_count_yoy"],
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
    )


def red_summary_table(content: BulletinContent) -> Table:
    """Red warnings by region and rule; the 合计 row equals the list's length."""
    counts = Counter((r["region_code"], r["rule"]) for r in content.red_warnings)
    names = {r["rule"]: r["rule_name_zh"] or r["rule"] for r in content.red_warnings}
    rules = sorted(names)
    regions: dict[str, tuple[str, str]] = {}
    for r in (*[p for p in content.progress if not p["is_total"]], *content.red_warnings):
        regions.setdefault(r["region_code"], (r["rank_group"], r["region_name"]))
    rows = []
    for code, (group, name) in regions.items():
        by_rule = [counts.get((code, k), 0) for k in rules]
        rows.append((group, name, *by_rule, sum(by_rule)))
    total = [sum(row[2 + i] for row in rows) for i in range(len(rules))]
    rows.append(("", "全市合计", *total, sum(total)))
    return Table(
        "红色预警分布（按地区和预警规则）",
        (_GROUP, _REGION, *(Column(names[k], COUNT, 9) for k in rules), Column("合计", COUNT, 7)),
        tuple(rows),
        has_total=True,
        links=(*(region_link(c) for c in regions), None),
    )


def red_list_table(content: BulletinContent, limit: int | None = None) -> Table:
    warnings = content.red_warnings
    caption = "红色预警项目清单"
    if limit is not None and len(warnings) > limit:
        warnings = tuple(
            sorted(warnings, key=lambda r: (-(r["total_investment_wan"] or 0), r["project_key"]))[
                :limit
            ]
        )
        caption = f"红色预警项目（总投资最大的{limit}项，共{len(content.red_warnings)}项）"
    return Table(
        caption,
        (
            _REGION,
            Column("项目名称", TEXT, 30),
            Column("总投资（万元）", WAN, 11),
            Column("预警规则", TEXT, 14, nowrap=True),
            Column("预警说明", TEXT, 40),
            Column("责任人", TEXT, 10),
        ),
        tuple(
            (
                r["region_name"],
                r["project_name"],
                r["total_investment_wan"],
                r["rule_name_zh"] or r["rule"],
                r["detail"],
                r["responsible_person"],
            )
            for r in warnings
        ),
        links=tuple(region_link(r["region_code"]) for r in warnings),
    )


def escalated_summary_table(content: BulletinContent) -> Table:
    by_leader: dict[tuple[str, str], list[dict]] = {}
    for r in content.escalated:
        by_leader.setdefault((r["escalate_to"] or NO_LEADER, r["department"] or ""), []).append(r)
    return Table(
        "升级督办问题（按分管副市长和责任部门）",
        (
            Column("分管副市长", TEXT, 12, nowrap=True),
            Column("责任部门", TEXT, 16, nowrap=True),
            Column("问题个数", COUNT, 8),
            Column("其中超期", COUNT, 8),
            Column("最长办理天数", COUNT, 10),
        ),
        tuple(
            (
                leader,
                department,
                len(issues),
                sum(1 for i in issues if i["is_overdue"]),
                max((i["days_open"] or 0) for i in issues),
            )
            for (leader, department), issues in by_leader.items()
        ),
    )


def escalated_table(content: BulletinContent) -> Table:
    rows = content.escalated
    return Table(
        "升级督办问题清单",
        (
            Column("分管副市长", TEXT, 10, nowrap=True),
            Column("责任部门", TEXT, 12, nowrap=True),
            _REGION,
            Column("项目名称", TEXT, 24),
            Column("问题描述", TEXT, 32),
            Column("提出日期", DATE, 10),
            Column("办结时限", DATE, 10),
            Column("办理天数", COUNT, 7),
            Column("超期天数", COUNT, 7),
            Column("办理状态", TEXT, 8, nowrap=True),
        ),
        tuple(
            (
                r["escalate_to"] or NO_LEADER,
                r["department"],
                r["region_name"] or r["region_code"],
                r["project_name"],
                r["issue_description"],
                r["opened_on"],
                r["deadline"],
                r["days_open"],
                r["days_overdue"],
                r["status"],
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
        in_document=False,
    )


def submission_table(content: BulletinContent) -> Table:
    rows = content.submissions
    return Table(
        "报送情况与数据质量",
        (
            _GROUP,
            _REGION,
            Column("报送情况", TEXT, 10, nowrap=True),
            Column("最后报送时间", TEXT, 16, nowrap=True),
            Column("报送时限", DATE, 10),
            Column("错误", COUNT, 6),
            Column("警告", COUNT, 6),
            Column("缺报说明", TEXT, 26),
        ),
        tuple(
            (
                r["rank_group"],
                r["region_name"],
                submission_state(r),
                r["last_received_at"].strftime("%Y-%m-%d %H:%M") if r["last_received_at"] else None,
                r["submission_deadline"],
                r["error_count"],
                r["warning_count"],
                r["missing_note"],
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
    )


def submission_state(row: dict) -> str:
    if row.get("is_exempt"):
        return "已豁免"
    if not row["is_complete"]:
        return "未报齐"
    return "逾期报送" if row["is_late"] else "按时报送"


def showcase_table(content: BulletinContent) -> Table:
    rows = content.showcase
    return Table(
        "重大项目宣传名单",
        (
            Column("序号", COUNT, 5),
            _REGION,
            Column("项目名称", TEXT, 32),
            Column("项目单位", TEXT, 20),
            Column("总投资（万元）", WAN, 11),
            Column("本年完成（万元）", WAN, 11),
            Column("年度计划完成率", RATE, 9),
        ),
        tuple(
            (
                r["showcase_rank"],
                r["region_name"],
                r["project_name"],
                r["project_owner"],
                r["total_investment_wan"],
                r["ytd_completed_wan"],
                r["completion_rate"],
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
    )
