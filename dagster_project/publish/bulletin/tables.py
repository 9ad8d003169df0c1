"""The 通报's tables of regional figures, built from the content: the 擂台, 绩效考核,
推进情况 and 环比/同比 — one Table each, the same for the Word document, the page and the
workbook (lists.py has the lists)."""

from __future__ import annotations

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

GROUP = Column("排名组", TEXT, 11, nowrap=True)
REGION = Column("地区", TEXT, 20, nowrap=True)


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
                    REGION,
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
    columns = [REGION]
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
        REGION,
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
            GROUP,
            REGION,
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


def three_early_table(content: BulletinContent) -> Table:
    """三早 (二(九)): this year's list month by month, and next year's being prepared."""
    rows = content.three_early
    year = content.period_month.year
    return Table(
        "“三早”项目推进情况",
        (
            GROUP,
            REGION,
            Column(f"{year}年三早项目个数", COUNT, 8),
            Column("已开工个数", COUNT, 7),
            Column("开工率", RATE, 8),
            Column("逾期未开工个数", COUNT, 8),
            Column("年度计划投资（万元）", WAN, 12),
            Column("本年累计完成投资（万元）", WAN, 12),
            Column("年度计划完成率", RATE, 9),
            Column(f"{year + 1}年三早项目个数", COUNT, 8),
            Column("其中前期手续全部办结", COUNT, 8),
        ),
        tuple(
            (
                "" if r["is_total"] else r["rank_group"],
                "全市合计" if r["is_total"] else r["region_name"],
                r["three_early_count"],
                r["started_count"],
                r["start_rate"],
                r["overdue_count"],
                r["annual_plan_wan"],
                r["planned_ytd_completed_wan"],
                r["completion_rate"],
                r["next_year_count"],
                r["next_year_ready_count"],
            )
            for r in rows
        ),
        has_total=bool(rows) and rows[-1]["is_total"],
        links=tuple(None if r["is_total"] else region_link(r["region_code"]) for r in rows),
    )


def approval_timeliness_table(content: BulletinContent) -> Table:
    """审批时效 (二(十三)): the city's approvals done this year, by kind."""
    rows = content.approval_timeliness
    return Table(
        f"前期手续审批时效（{content.period_month.year}年累计办结）",
        (
            Column("手续", TEXT, 10, nowrap=True),
            Column("办结个数", COUNT, 8),
            Column("办理天数中位数", COUNT, 9),
            Column("最长办理天数", COUNT, 9),
            Column("在线办理个数", COUNT, 8),
            Column("在线办理占比", RATE, 9),
        ),
        tuple(
            (
                r["approval_name"],
                r["done_count"],
                r["median_days"],
                r["max_days"],
                r["online_count"],
                r["online_share"],
            )
            for r in rows
        ),
    )


def slowest_approvals_table(content: BulletinContent) -> Table:
    """The year's approvals that took longest."""
    rows = content.slowest_approvals
    return Table(
        f"办理时间最长的{len(rows)}项前期手续",
        (
            REGION,
            Column("项目名称", TEXT, 28),
            Column("手续", TEXT, 9, nowrap=True),
            Column("申请日期", DATE, 14, nowrap=True),
            Column("办结日期", DATE, 14, nowrap=True),
            Column("办理天数", COUNT, 8),
            Column("在线办理", TEXT, 8, nowrap=True),
        ),
        tuple(
            (
                r["region_name"],
                r["project_name"],
                r["approval_name"],
                r["applied_on"],
                r["done_on"],
                r["days_taken"],
                {True: "是", False: "否"}.get(r["is_online"], ""),
            )
            for r in rows
        ),
        links=tuple(region_link(r["region_code"]) for r in rows),
    )


def comparison_table(content: BulletinContent) -> Table:
    rows = content.comparison
    return Table(
        "年度计划完成率和新开工项目的环比、同比",
        (
            GROUP,
            REGION,
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
