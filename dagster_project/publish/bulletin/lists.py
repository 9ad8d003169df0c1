"""The 通报's lists, built from the content: red warnings, region warnings, escalated
issues, the 报送情况 and the showcase — one Table each, the same for every renderer."""

from __future__ import annotations

from collections import Counter

from dagster_project.publish.bulletin.content import BulletinContent
from dagster_project.publish.bulletin.document import (
    COUNT,
    DATE,
    RATE,
    TEXT,
    WAN,
    Column,
    Table,
)
from dagster_project.publish.bulletin.tables import GROUP, REGION, region_link

NO_LEADER = "（未登记分管副市长）"
RED_LIST_LIMIT = 30  # the document lists the largest; the workbook lists them all


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
        (GROUP, REGION, *(Column(names[k], COUNT, 9) for k in rules), Column("合计", COUNT, 7)),
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
            REGION,
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


def region_warnings_table(content: BulletinContent) -> Table:
    """The month's region warnings (二(一)): growth falling, the 序时 gap widening, 开复工率
    below the city's — one row per region and rule."""
    rows = content.region_warnings
    return Table(
        "地区预警",
        (
            REGION,
            Column("预警类型", TEXT, 16, nowrap=True),
            Column("等级", TEXT, 6, nowrap=True),
            Column("预警说明", TEXT, 50),
        ),
        tuple(
            (r["region_name"], r["rule_name_zh"] or r["rule"], r["level"], r["detail"])
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
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
            REGION,
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
            GROUP,
            REGION,
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
            REGION,
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
