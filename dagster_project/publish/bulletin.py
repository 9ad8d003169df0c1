"""The monthly 擂台 bulletin (三(三) 通报, SPEC §6): for one reporting month, under
`<out>/bulletin/<YYYY-MM>/`,

* `投资攻坚擂台通报_<YYYY年M月>.xlsx` — one sheet per section (擂台, 绩效考核, 项目进度,
  红色预警, 问题督办) with native bar charts over the table cells;
* the same bulletin as one self-contained HTML page: inline CSS and inline SVG charts, no
  script and no external address, so it opens the same offline, in a mail client or printed.

Everything is read from the published marts only (rpt_arena_monthly, rpt_assessment_monthly,
fct_region_monthly, fct_project_monthly, fct_unstated_weekly, fct_early_warnings,
fct_issue_ledger, dim_region, dim_project) through a connection the caller opens read-only.
Whether the month may be published at all is the gate's decision, not this module's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.publish.render.cells import write_text_cell
from dagster_project.publish.render.html import escape_html, html_page_start
from dagster_project.publish.render.labels import month_label

BULLETIN_DIR = "bulletin"
TITLE = "投资攻坚擂台通报"
ISSUER = "市发改委项目中心"

# Sheet names, which are also the HTML section headings' keys.
ARENA_SHEET = "擂台"
ASSESSMENT_SHEET = "绩效考核"
PROGRESS_SHEET = "项目进度"
RED_SHEET = "红色预警"
ESCALATED_SHEET = "问题督办"
SHEETS = (ARENA_SHEET, ASSESSMENT_SHEET, PROGRESS_SHEET, RED_SHEET, ESCALATED_SHEET)
SECTION_TITLES = {
    ARENA_SHEET: "一、项目建设擂台排名",
    ASSESSMENT_SHEET: "二、绩效考核排名",
    PROGRESS_SHEET: "三、在建、已开工未入统、冬季不停工项目推进情况",
    RED_SHEET: "四、红色预警项目",
    ESCALATED_SHEET: "五、升级督办问题",
}

# 擂台 indicators (二(十一)) in the order of the plan, with how their values read.
RATE, COUNT, WAN, PP, WEEKS, TEXT, DATE = "rate", "count", "wan", "pp", "weeks", "text", "date"
ARENA_INDICATORS = {
    "fai_growth": ("固定资产投资增速", RATE),
    "big_project_count": ("5000万元以上在建项目个数", COUNT),
    "new_start_count": ("新开工项目个数", COUNT),
    "start_resume_rate": ("开复工率", RATE),
    "central_budget_start_rate": ("中央预算内投资项目开工率", RATE),
    "special_bond_start_rate": ("专项债券项目开工率", RATE),
}
# 绩效考核 indicators (三(三)).
ASSESSMENT_INDICATORS = {
    "fai_growth": "固定资产投资增速",
    "private_investment_share": "民间投资占比",
    "big_project_investment_share": "5000万元以上项目投资占比",
    "big_project_count_growth": "5000万元以上项目数量增速",
}
WARNING_RULES = {
    "start_overdue": "逾期未开工",
    "progress_lag": "投资进度滞后",
    "stats_entry_lag": "开工未入统超期",
    "stalled": "投资停滞",
    "bond_not_started": "专项债券已发行未开工",
    "bond_coverage": "专项债券本息覆盖不足",
    "approvals_behind": "前期手续滞后",
}
# How each section reads its figures: under the sheet's title and the page's heading.
SECTION_NOTES = {
    ARENA_SHEET: "各指标在排名组内竞争排名（1,2,2,4），数值越高名次越前；"
    "无数值的地区列在最后，名次为空并注明原因。",
    ASSESSMENT_SHEET: "考核指标："
    + "、".join(ASSESSMENT_INDICATORS.values())
    + "；按各指标组内名次之和排序，名次之和相同时固定资产投资增速名次靠前者在前；"
    "无数值的指标按末位计。",
    PROGRESS_SHEET: "年度计划完成率按有年度计划的在建项目计算；序时进度 = 报告月份 ÷ 12；"
    "已开工未入统按本月最后一次周调度统计。",
    RED_SHEET: "红色为最高预警等级（二(一) 苗头性、倾向性问题）；预警规则："
    + "、".join(WARNING_RULES.values())
    + "。",
    ESCALATED_SHEET: "超过办结时限仍未办结、或无办结时限且办理超过30天的问题，"
    "报分管副市长牵头协调（三(四)）。",
}
# The HTML lists the largest red-warning projects; the workbook lists them all.
HTML_RED_LIST_LIMIT = 30
NO_VALUE = "—"

_MARTS = (
    "dim_region",
    "dim_project",
    "rpt_arena_monthly",
    "rpt_assessment_monthly",
    "fct_region_monthly",
    "fct_project_monthly",
    "fct_unstated_weekly",
    "fct_early_warnings",
    "fct_issue_ledger",
)
# Notes in the marts end in an English gloss for analysts, e.g. "并列 (tied)"; the
# bulletin is for readers of Chinese.
_ENGLISH_GLOSS = re.compile(r"\s*\([A-Za-z][^()]*\)\s*$")


@dataclass(frozen=True)
class BulletinFiles:
    xlsx: Path
    html: Path
    period_month: date
    written: bool = True  # False: the month's bulletin already said exactly this


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float = 12
    nowrap: bool = False  # short labels (names, groups) read better on one line


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    has_total: bool = False  # the last row is a 合计 row

    @property
    def body(self) -> tuple[tuple, ...]:
        """The rows without the 合计 row."""
        return self.rows[:-1] if self.has_total and self.rows else self.rows


@dataclass(frozen=True)
class BulletinContent:
    """What the month's marts say, read once; both the workbook and the page draw on it."""

    period_month: date
    rank_groups: tuple[str, ...]
    arena: tuple[dict, ...]  # rank group, indicator order, rank (NULL last), region code
    assessment: tuple[dict, ...]  # rank group, composite rank
    progress: tuple[dict, ...]  # one row per region, rank group order
    red_warnings: tuple[dict, ...]  # rank group, region, rule, total investment desc
    escalated: tuple[dict, ...]  # 分管副市长, department, days open desc

    @property
    def title(self) -> str:
        return f"{TITLE}（{month_label(self.period_month)}）"

    @property
    def schedule_share(self) -> float:
        """序时进度: the share of the year elapsed at the month's end."""
        return self.period_month.month / 12


def mart_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Qualified names of the marts the bulletin reads. They live in `marts` in the
    working warehouse, but a snapshot may keep them elsewhere; `marts` wins a tie."""
    found: dict[str, str] = {}
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_name in (select unnest(?)) "
        "order by table_schema <> 'marts', table_schema",
        [list(_MARTS)],
    ).fetchall()
    for schema, name in rows:
        found.setdefault(name, f'"{schema}"."{name}"')
    missing = [name for name in _MARTS if name not in found]
    if missing:
        raise LookupError(f"the warehouse has no {', '.join(missing)}")
    return found


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def chinese_note(note: str | None) -> str | None:
    """A mart's note for a Chinese reader: indicator names in Chinese, English glosses
    dropped ("并列 (tied)" → "并列")."""
    if not note:
        return None
    for key in sorted(ASSESSMENT_INDICATORS, key=len, reverse=True):
        note = note.replace(key, ASSESSMENT_INDICATORS[key])
    parts = [_ENGLISH_GLOSS.sub("", part) for part in note.split("；")]
    return "；".join(parts)


def bulletin_content(con: duckdb.DuckDBPyConnection, period_month: date) -> BulletinContent:
    """Read the month from the marts. Raises LookupError when the month has no 擂台 rows:
    a bulletin without its rankings is not a bulletin."""
    month = period_month.replace(day=1)
    t = mart_tables(con)
    arena = _rows(
        con,
        f"""
        select
            a.rank_group, a.region_code, coalesce(r.region_name, a.region_code) as region_name,
            a.indicator, a.value, a.rank, a.note
        from {t["rpt_arena_monthly"]} as a
        left join {t["dim_region"]} as r on r.region_code = a.region_code
        where a.period_month = ?
        """,
        month,
    )
    if not arena:
        raise LookupError(f"rpt_arena_monthly has no rows for {month:%Y-%m}")
    group_first_code: dict[str, str] = {}
    for row in arena:
        code = group_first_code.get(row["rank_group"], row["region_code"])
        group_first_code[row["rank_group"]] = min(code, row["region_code"])
    # Counties before development zones: groups in the order of their first region code.
    groups = tuple(sorted(group_first_code, key=lambda g: (group_first_code[g], g)))
    group_order = {g: i for i, g in enumerate(groups)}
    indicator_order = {k: i for i, k in enumerate(ARENA_INDICATORS)}
    arena = [r for r in arena if r["indicator"] in indicator_order]
    for row in arena:
        row["note"] = chinese_note(row["note"])
    arena.sort(
        key=lambda r: (
            group_order[r["rank_group"]],
            indicator_order[r["indicator"]],
            r["rank"] is None,
            r["rank"] or 0,
            r["region_code"],
        )
    )

    assessment = _rows(
        con,
        f"""
        select a.* exclude (region_name), coalesce(r.region_name, a.region_code) as region_name
        from {t["rpt_assessment_monthly"]} as a
        left join {t["dim_region"]} as r on r.region_code = a.region_code
        where a.period_month = ?
        """,
        month,
    )
    for row in assessment:
        row["note"] = chinese_note(row.get("note"))
    assessment.sort(
        key=lambda r: (
            group_order.get(r["rank_group"], len(groups)),
            r["composite_rank"],
            r["region_code"],
        )
    )

    progress = _rows(con, _progress_sql(t), *[month] * 5)
    progress.sort(key=lambda r: (group_order.get(r["rank_group"], len(groups)), r["region_code"]))

    red = _rows(
        con,
        f"""
        select
            r.rank_group, w.region_code, coalesce(r.region_name, w.region_code) as region_name,
            w.project_key, w.project_name,
            w.rule, w.detail, w.responsible_person,
            coalesce(p.total_investment_wan, d.total_investment_wan) as total_investment_wan
        from {t["fct_early_warnings"]} as w
        left join {t["dim_region"]} as r on r.region_code = w.region_code
        left join {t["fct_project_monthly"]} as p
            on p.project_key = w.project_key and p.period_month = w.period_month
        left join {t["dim_project"]} as d on d.project_key = w.project_key
        where w.period_month = ? and w.level = '红'
        """,
        month,
    )
    rule_order = {k: i for i, k in enumerate(WARNING_RULES)}
    red.sort(
        key=lambda r: (
            group_order.get(r["rank_group"], len(groups)),
            r["region_code"],
            rule_order.get(r["rule"], len(rule_order)),
            -(r["total_investment_wan"] or 0),
            r["project_key"],
        )
    )

    escalated = _rows(
        con,
        f"""
        select
            i.issue_key, i.region_code, r.region_name, i.project_name, i.issue_type,
            i.issue_description, i.department, i.escalate_to, i.opened_on, i.deadline,
            i.days_open, i.days_overdue, i.is_overdue, i.escalation_reason, i.status
        from {t["fct_issue_ledger"]} as i
        left join {t["dim_region"]} as r on r.region_code = i.region_code
        where i.period_month = ? and i.is_escalated
        order by
            i.escalate_to nulls last, i.department, i.days_open desc nulls last, i.issue_key
        """,
        month,
    )
    return BulletinContent(
        period_month=month,
        rank_groups=groups,
        arena=tuple(arena),
        assessment=tuple(assessment),
        progress=tuple(progress),
        red_warnings=tuple(red),
        escalated=tuple(escalated),
    )


def _progress_sql(t: dict[str, str]) -> str:
    """Per region: the 在建 list (count, total, YTD; completion rate against the annual plan
    as in fct_region_monthly), 已开工未入统 in the month's last reported week and those that
    entered the statistics this month, and 冬季不停工 projects on the 在建 list."""
    return f"""
    with

    projects as (
        select
            region_code,
            count(*) filter (where listed_under_construction) as under_construction_count,
            sum(total_investment_wan) filter (where listed_under_construction)
                as total_investment_wan,
            sum(ytd_completed_wan) filter (where listed_under_construction)
                as ytd_completed_wan,
            count(*) filter (where listed_under_construction and is_winter_continuous)
                as winter_count,
            coalesce(sum(ytd_completed_wan) filter (
                where listed_under_construction and is_winter_continuous
            ), 0) as winter_ytd_completed_wan
        from {t["fct_project_monthly"]}
        where period_month = ?
        group by region_code
    ),

    weeks as (
        select *
        from {t["fct_unstated_weekly"]}
        where period_week >= ? and period_week < cast(? as date) + interval 1 month
    ),

    last_week as (
        select region_code, max(period_week) as period_week from weeks group by region_code
    ),

    unstated as (
        select
            w.region_code,
            count(*) filter (where not w.is_entered) as unstated_count,
            max(w.weeks_since_start) filter (where not w.is_entered) as unstated_max_weeks,
            count(*) filter (where not w.is_entered and w.is_past_expected_entry)
                as unstated_past_expected
        from weeks as w
        inner join last_week as l
            on l.region_code = w.region_code and l.period_week = w.period_week
        group by w.region_code
    ),

    entered as (
        select region_code, count(distinct project_key) as entered_this_month
        from weeks
        where is_entered and date_trunc('month', stats_entry_month) = ?
        group by region_code
    )

    select
        m.rank_group,
        m.region_code,
        r.region_name,
        coalesce(p.under_construction_count, 0) as under_construction_count,
        coalesce(p.total_investment_wan, 0) as total_investment_wan,
        coalesce(p.ytd_completed_wan, 0) as ytd_completed_wan,
        m.ytd_completed_wan as planned_ytd_completed_wan,
        m.annual_plan_wan,
        m.completion_rate,
        m.schedule_gap_pp,
        coalesce(u.unstated_count, 0) as unstated_count,
        u.unstated_max_weeks,
        coalesce(u.unstated_past_expected, 0) as unstated_past_expected,
        coalesce(e.entered_this_month, 0) as entered_this_month,
        coalesce(p.winter_count, 0) as winter_count,
        coalesce(p.winter_ytd_completed_wan, 0) as winter_ytd_completed_wan
    from {t["fct_region_monthly"]} as m
    inner join {t["dim_region"]} as r on r.region_code = m.region_code
    left join projects as p on p.region_code = m.region_code
    left join unstated as u on u.region_code = m.region_code
    left join entered as e on e.region_code = m.region_code
    where m.period_month = ?
    """


# --------------------------------------------------------------------------- tables


def arena_table(content: BulletinContent, rank_group: str | None = None) -> Table:
    """The 擂台 in one list: group, indicator, rank, region, value, note."""
    rows = tuple(
        (
            r["rank_group"],
            ARENA_INDICATORS[r["indicator"]][0],
            r["rank"],
            r["region_name"],
            r["region_code"],
            _arena_value(r),
            r["note"],
        )
        for r in content.arena
        if rank_group in (None, r["rank_group"])
    )
    return Table(
        "擂台排名（按指标）",
        (
            Column("排名组", TEXT, 11, nowrap=True),
            Column("指标", TEXT, 24),
            Column("名次", COUNT, 6),
            Column("地区", TEXT, 22, nowrap=True),
            Column("地区代码", TEXT, 9),
            Column("指标值", RATE, 10),  # a count's rows read as counts: _arena_sheet
            Column("说明", TEXT, 40),
        ),
        rows,
    )


def _arena_value(row: dict):
    value = row["value"]
    if value is not None and ARENA_INDICATORS[row["indicator"]][1] == COUNT:
        return round(value)
    return value


def arena_overview(content: BulletinContent, rank_group: str | None = None) -> Table:
    """Region × indicator ranks, regions in code order."""
    ranks: dict[tuple[str, str], dict[str, int | None]] = {}
    names: dict[str, str] = {}
    for r in content.arena:
        if rank_group not in (None, r["rank_group"]):
            continue
        ranks.setdefault((r["rank_group"], r["region_code"]), {})[r["indicator"]] = r["rank"]
        names[r["region_code"]] = r["region_name"]
    group_order = {g: i for i, g in enumerate(content.rank_groups)}
    rows = tuple(
        (group, names[code], *(by.get(k) for k in ARENA_INDICATORS))
        for (group, code), by in sorted(
            ranks.items(), key=lambda kv: (group_order[kv[0][0]], kv[0][1])
        )
    )
    return Table(
        "擂台名次总览",
        (
            Column("排名组", TEXT, 11, nowrap=True),
            Column("地区", TEXT, 22, nowrap=True),
            *(Column(label, COUNT, 11) for label, _ in ARENA_INDICATORS.values()),
        ),
        rows,
    )


def assessment_table(content: BulletinContent, rank_group: str | None = None) -> Table:
    columns = [
        Column("排名组", TEXT, 11, nowrap=True),
        Column("综合排名", COUNT, 8),
        Column("地区", TEXT, 22, nowrap=True),
    ]
    for label in ASSESSMENT_INDICATORS.values():
        columns += [Column(label, RATE, 12), Column(f"{label}名次", COUNT, 10)]
    columns += [Column("名次之和", COUNT, 9), Column("说明", TEXT, 36)]
    rows = tuple(
        (
            r["rank_group"],
            r["composite_rank"],
            r["region_name"],
            *(v for k in ASSESSMENT_INDICATORS for v in (r.get(k), r[f"{k}_rank"])),
            _whole(r["rank_sum"]),
            r["note"],
        )
        for r in content.assessment
        if rank_group in (None, r["rank_group"])
    )
    return Table("绩效考核综合排名", tuple(columns), rows)


def _whole(value):
    """A rank sum is whole with the default equal weights; show it so."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def progress_table(content: BulletinContent) -> Table:
    rows = [
        (
            r["rank_group"],
            r["region_name"],
            r["under_construction_count"],
            r["total_investment_wan"],
            r["ytd_completed_wan"],
            r["completion_rate"],
            content.schedule_share,
            r["schedule_gap_pp"],
            r["unstated_count"],
            r["unstated_max_weeks"],
            r["unstated_past_expected"],
            r["entered_this_month"],
            r["winter_count"],
            r["winter_ytd_completed_wan"],
        )
        for r in content.progress
    ]
    return Table(
        "在建、已开工未入统、冬季不停工项目推进情况（按地区）",
        (
            Column("排名组", TEXT, 11, nowrap=True),
            Column("地区", TEXT, 22, nowrap=True),
            Column("在建项目个数", COUNT, 9),
            Column("在建项目总投资（万元）", WAN, 14),
            Column("本年累计完成投资（万元）", WAN, 14),
            Column("年度计划完成率", RATE, 10),
            Column("序时进度", RATE, 9),
            Column("与序时进度差（百分点）", PP, 11),
            Column("已开工未入统个数", COUNT, 10),
            Column("开工最长周数", WEEKS, 9),
            Column("超预计入统月份个数", COUNT, 10),
            Column("本月入统个数", COUNT, 9),
            Column("冬季不停工项目个数", COUNT, 10),
            Column("冬季不停工本年完成（万元）", WAN, 14),
        ),
        (*rows, progress_total(content)),
        has_total=True,
    )


def progress_total(content: BulletinContent) -> tuple:
    """The city-wide 合计 row of progress_table; its completion rate is over the city's
    Σ annual plan, like each region's."""
    p = content.progress
    plan = sum(r["annual_plan_wan"] or 0 for r in p)
    done = sum(r["planned_ytd_completed_wan"] or 0 for r in p)
    rate = done / plan if plan else None
    weeks = [r["unstated_max_weeks"] for r in p if r["unstated_max_weeks"] is not None]
    return (
        "全市合计",
        "",
        sum(r["under_construction_count"] for r in p),
        sum(r["total_investment_wan"] for r in p),
        sum(r["ytd_completed_wan"] for r in p),
        rate,
        content.schedule_share,
        None if rate is None else (rate - content.schedule_share) * 100,
        sum(r["unstated_count"] for r in p),
        max(weeks) if weeks else None,
        sum(r["unstated_past_expected"] for r in p),
        sum(r["entered_this_month"] for r in p),
        sum(r["winter_count"] for r in p),
        sum(r["winter_ytd_completed_wan"] for r in p),
    )


def red_summary_table(content: BulletinContent) -> Table:
    """Red warnings counted by region and rule; the 合计 row equals the list's length."""
    counts = Counter((r["region_code"], r["rule"]) for r in content.red_warnings)
    rules = [k for k in WARNING_RULES if any(rule == k for _, rule in counts)]
    rules += sorted({rule for _, rule in counts} - set(WARNING_RULES))
    rows = []
    for r in content.progress:  # every region of the month, in order, even with none
        code = r["region_code"]
        by_rule = [counts.get((code, k), 0) for k in rules]
        rows.append((r["rank_group"], r["region_name"], *by_rule, sum(by_rule)))
    known = {r["region_code"] for r in content.progress}
    for code in sorted({c for c, _ in counts} - known):  # a region without a monthly row
        name = next(w["region_name"] for w in content.red_warnings if w["region_code"] == code)
        group = next(w["rank_group"] for w in content.red_warnings if w["region_code"] == code)
        by_rule = [counts.get((code, k), 0) for k in rules]
        rows.append((group, name, *by_rule, sum(by_rule)))
    total = [sum(row[2 + i] for row in rows) for i in range(len(rules))]
    rows.append(("全市合计", "", *total, sum(total)))
    return Table(
        "红色预警分布（按地区和预警规则）",
        (
            Column("排名组", TEXT, 11, nowrap=True),
            Column("地区", TEXT, 22, nowrap=True),
            *(Column(WARNING_RULES.get(k, k), COUNT, 10) for k in rules),
            Column("合计", COUNT, 8),
        ),
        tuple(rows),
        has_total=True,
    )


def red_list_table(content: BulletinContent, limit: int | None = None) -> Table:
    warnings = content.red_warnings
    caption = "红色预警项目清单"
    if limit is not None and len(warnings) > limit:
        warnings = sorted(
            warnings, key=lambda r: (-(r["total_investment_wan"] or 0), r["project_key"])
        )[:limit]
        caption = f"红色预警项目（总投资最大的{limit}项）"
    return Table(
        caption,
        (
            Column("地区", TEXT, 20, nowrap=True),
            Column("项目名称", TEXT, 36),
            Column("总投资（万元）", WAN, 12),
            Column("预警规则", TEXT, 18, nowrap=True),
            Column("预警说明", TEXT, 56),
            Column("责任人", TEXT, 14),
        ),
        tuple(
            (
                r["region_name"],
                r["project_name"],
                r["total_investment_wan"],
                WARNING_RULES.get(r["rule"], r["rule"]),
                r["detail"],
                r["responsible_person"],
            )
            for r in warnings
        ),
    )


def escalated_summary_table(content: BulletinContent) -> Table:
    by_leader: dict[tuple[str, str], list[dict]] = {}
    for r in content.escalated:
        leader = r["escalate_to"] or "（未登记分管副市长）"
        by_leader.setdefault((leader, r["department"] or ""), []).append(r)
    rows = tuple(
        (
            leader,
            department,
            len(issues),
            sum(1 for i in issues if i["is_overdue"]),
            max((i["days_open"] or 0) for i in issues),
        )
        for (leader, department), issues in by_leader.items()
    )
    return Table(
        "升级督办问题（按分管副市长）",
        (
            Column("分管副市长", TEXT, 12, nowrap=True),
            Column("责任部门", TEXT, 16, nowrap=True),
            Column("问题个数", COUNT, 9),
            Column("其中超期", COUNT, 9),
            Column("最长办理天数", COUNT, 11),
        ),
        rows,
    )


def escalated_list_table(content: BulletinContent) -> Table:
    return Table(
        "升级督办问题清单",
        (
            Column("分管副市长", TEXT, 12, nowrap=True),
            Column("责任部门", TEXT, 16, nowrap=True),
            Column("地区", TEXT, 18, nowrap=True),
            Column("项目名称", TEXT, 32),
            Column("问题类型", TEXT, 9, nowrap=True),
            Column("问题描述", TEXT, 44),
            Column("提出日期", DATE, 11),
            Column("办结时限", DATE, 11),
            Column("办理天数", COUNT, 9),
            Column("超期天数", COUNT, 9),
            Column("升级原因", TEXT, 24),
            Column("办理状态", TEXT, 9, nowrap=True),
        ),
        tuple(
            (
                r["escalate_to"] or "（未登记分管副市长）",
                r["department"],
                r["region_name"] or r["region_code"],
                r["project_name"],
                r["issue_type"],
                r["issue_description"],
                r["opened_on"],
                r["deadline"],
                r["days_open"],
                r["days_overdue"],
                r["escalation_reason"],
                r["status"],
            )
            for r in content.escalated
        ),
    )


def facts(content: BulletinContent) -> tuple[str, ...]:
    """The bulletin's opening lines: the city-wide figures of the month."""
    table = progress_table(content)
    city = dict(zip((c.header for c in table.columns), table.rows[-1], strict=True))
    end = _month_end(content.period_month)
    rate = format_value(city["年度计划完成率"], RATE)
    return (
        f"数据截至{end.year}年{end.month}月{end.day}日；序时进度{content.schedule_share:.1%}。",
        f"全市在建项目{city['在建项目个数']}个，本年累计完成投资"
        f"{city['本年累计完成投资（万元）']:,.0f}万元，年度计划完成率{rate}；"
        f"已开工未入统项目{city['已开工未入统个数']}个，本月入统{city['本月入统个数']}个；"
        f"冬季不停工项目{city['冬季不停工项目个数']}个。",
        f"红色预警{len(content.red_warnings)}项，升级至分管副市长督办的问题{len(content.escalated)}项。",
    )


def _month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


# --------------------------------------------------------------------------- .xlsx

_NUMBER_FORMATS = {
    RATE: "0.0%",
    COUNT: "#,##0",
    WAN: "#,##0",
    PP: "+0.0;-0.0;0.0",
    WEEKS: "0",
    DATE: "yyyy-mm-dd",
}
_HEADER_ROW = 5  # rows 1–4: title, issuer and month, note, captions; one header row
_FONT = "Calibri"  # the workbook's default: a styled cell keeps the same face
_BOLD = Font(name=_FONT, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="FFF2F2F2")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_bulletin_workbook(path: Path, content: BulletinContent) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    _arena_sheet(wb.create_sheet(ARENA_SHEET), content)
    _assessment_sheet(wb.create_sheet(ASSESSMENT_SHEET), content)
    _progress_sheet(wb.create_sheet(PROGRESS_SHEET), content)
    _red_sheet(wb.create_sheet(RED_SHEET), content)
    _escalated_sheet(wb.create_sheet(ESCALATED_SHEET), content)
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_atomically(path, buffer.getvalue())


def _sheet_heading(ws: Worksheet, content: BulletinContent, section: str) -> None:
    write_text_cell(ws, 1, 1, f"{content.title} — {SECTION_TITLES[section]}").font = Font(
        name=_FONT, bold=True, size=14
    )
    write_text_cell(ws, 2, 1, f"{ISSUER}　{month_label(content.period_month)}")
    write_text_cell(ws, 3, 1, SECTION_NOTES[section]).font = Font(name=_FONT, color="FF595959")
    ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=1).coordinate
    ws.print_title_rows = f"1:{_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_table(
    ws: Worksheet,
    column: int,
    table: Table,
    kinds: Callable[[tuple], Sequence[str]] | None = None,
) -> tuple[int, int]:
    """Write a table with its header in the sheet's header row, starting at `column`;
    returns its first and last data rows (the last equals the header row when empty).
    `kinds` gives a row's number formats when they differ from row to row."""
    write_text_cell(ws, _HEADER_ROW - 1, column, table.caption).font = Font(
        name=_FONT, bold=True, size=12
    )
    for offset, col in enumerate(table.columns):
        cell = write_text_cell(ws, _HEADER_ROW, column + offset, col.header)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _HEADER_ALIGN
        ws.column_dimensions[get_column_letter(column + offset)].width = col.width
    ws.row_dimensions[_HEADER_ROW].height = 45
    rows = table.rows
    row_kinds = [kinds(values) if kinds else [c.kind for c in table.columns] for values in rows]
    if not rows:
        write_text_cell(ws, _HEADER_ROW + 1, column, "（无）")
        return _HEADER_ROW + 1, _HEADER_ROW
    for r, (values, kinds_of_row) in enumerate(zip(rows, row_kinds, strict=True)):
        row = _HEADER_ROW + 1 + r
        for offset, (value, kind) in enumerate(zip(values, kinds_of_row, strict=True)):
            cell = write_text_cell(ws, row, column + offset, value)
            if kind in _NUMBER_FORMATS and isinstance(value, int | float | date):
                cell.number_format = _NUMBER_FORMATS[kind]
            elif kind == TEXT:
                cell.alignment = _WRAP
            if table.has_total and r == len(rows) - 1:
                cell.font, cell.fill = _BOLD, _TOTAL_FILL
    return _HEADER_ROW + 1, _HEADER_ROW + len(rows)


def _arena_sheet(ws: Worksheet, content: BulletinContent) -> None:
    _sheet_heading(ws, content, ARENA_SHEET)
    table = arena_table(content)

    kind_of = dict(ARENA_INDICATORS.values())  # 指标 label → how its values read

    def kinds(values: tuple) -> list[str]:
        return [c.kind for c in table.columns[:5]] + [kind_of[values[1]], TEXT]

    first, _ = _write_table(ws, 1, table, kinds)
    overview_col = len(table.columns) + 2
    ws.column_dimensions[get_column_letter(overview_col - 1)].width = 3
    _, overview_last = _write_table(ws, overview_col, arena_overview(content))

    # One horizontal bar chart of 固定资产投资增速 per rank group, under the overview.
    anchor_row = overview_last + 3
    growth = ARENA_INDICATORS["fai_growth"][0]
    for group in content.rank_groups:
        rows = [
            first + i
            for i, values in enumerate(table.rows)
            if values[0] == group and values[1] == growth
        ]
        if not rows:
            continue
        chart = _bar_chart(
            f"{group}：{growth}",
            ws,
            category_col=_column_of(table, "地区"),
            value_cols=(_column_of(table, "指标值"),),
            first_row=rows[0],
            last_row=rows[-1],
            horizontal=True,
        )
        chart.y_axis.number_format = "0%"
        chart.height = max(6.0, 2.5 + 0.8 * len(rows))  # cm; every region keeps its label
        ws.add_chart(chart, f"{get_column_letter(overview_col)}{anchor_row}")
        anchor_row += int(chart.height * 2) + 2


def _column_of(table: Table, header: str) -> int:
    """The sheet column of a column of a table written from column A, for charts."""
    return 1 + [c.header for c in table.columns].index(header)


def _bar_chart(
    title: str,
    ws: Worksheet,
    category_col: int,
    value_cols: Sequence[int],
    first_row: int,
    last_row: int,
    horizontal: bool = False,
) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    for col in value_cols:
        data = Reference(ws, min_col=col, max_col=col, min_row=first_row, max_row=last_row)
        chart.add_data(data, titles_from_data=False)
    cats = Reference(ws, min_col=category_col, min_row=first_row, max_row=last_row)
    chart.set_categories(cats)
    chart.legend = None
    chart.width = 18
    # openpyxl hides both axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # Region names at the plot's edge, not on the zero line where negative bars run.
    chart.x_axis.tickLblPos = "low"
    if horizontal:  # first row at the top, as in the table, with the values still below
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"
    return chart


def _assessment_sheet(ws: Worksheet, content: BulletinContent) -> None:
    _sheet_heading(ws, content, ASSESSMENT_SHEET)
    _write_table(ws, 1, assessment_table(content))


def _progress_sheet(ws: Worksheet, content: BulletinContent) -> None:
    _sheet_heading(ws, content, PROGRESS_SHEET)
    table = progress_table(content)
    first, last = _write_table(ws, 1, table)
    regions_last = first + len(table.body) - 1  # the chart leaves out the 合计 row
    if regions_last < first:
        return
    chart = _bar_chart(
        "年度计划完成率与序时进度",
        ws,
        category_col=_column_of(table, "地区"),
        value_cols=(_column_of(table, "年度计划完成率"),),
        first_row=first,
        last_row=regions_last,
    )
    # 序时进度 is the same for every region: a line across the bars.
    schedule_col = _column_of(table, "序时进度")
    schedule = LineChart()
    schedule.add_data(
        Reference(ws, min_col=schedule_col, min_row=first, max_row=regions_last),
        titles_from_data=False,
    )
    schedule.set_categories(
        Reference(ws, min_col=_column_of(table, "地区"), min_row=first, max_row=regions_last)
    )
    chart.series[0].tx = SeriesLabel(v="年度计划完成率")
    chart.series[0].graphicalProperties.solidFill = "2F6FB0"
    line = schedule.series[0]
    line.tx = SeriesLabel(v="序时进度")
    line.marker.symbol = "none"
    line.graphicalProperties.line.solidFill = "C00000"
    line.graphicalProperties.line.dashStyle = "dash"
    line.graphicalProperties.line.width = 22000  # EMU, about 1.75 pt
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0  # a bar's length is the rate itself
    chart += schedule
    chart.legend = Legend(legendPos="b")
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"B{last + 3}")


def _red_sheet(ws: Worksheet, content: BulletinContent) -> None:
    _sheet_heading(ws, content, RED_SHEET)
    summary = red_summary_table(content)
    _write_table(ws, 1, summary)
    list_col = len(summary.columns) + 2
    ws.column_dimensions[get_column_letter(list_col - 1)].width = 3
    _write_table(ws, list_col, red_list_table(content))


def _escalated_sheet(ws: Worksheet, content: BulletinContent) -> None:
    _sheet_heading(ws, content, ESCALATED_SHEET)
    summary = escalated_summary_table(content)
    _write_table(ws, 1, summary)
    list_col = len(summary.columns) + 2
    ws.column_dimensions[get_column_letter(list_col - 1)].width = 3
    _write_table(ws, list_col, escalated_list_table(content))


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- .html

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
    '"Microsoft YaHei", "PingFang SC", "SimHei", sans-serif'
)
_CSS = f"""
body {{ font-family: {FONT_FAMILY}; margin: 24px auto; max-width: 1180px; color: #222;
       padding: 0 16px; }}
h1 {{ font-size: 24px; text-align: center; margin-bottom: 4px; }}
.sub {{ text-align: center; color: #555; margin-top: 0; }}
.facts {{ background: #f4f7fb; border-left: 4px solid #2f6fb0; padding: 8px 14px; }}
.facts p {{ margin: 4px 0; }}
h2 {{ font-size: 19px; border-bottom: 2px solid #2f6fb0; padding-bottom: 4px; margin-top: 34px; }}
h3 {{ font-size: 16px; margin: 22px 0 6px; }}
h4 {{ font-size: 14px; margin: 10px 0 4px; }}
table {{ border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }}
th, td {{ border: 1px solid #b7b7b7; padding: 3px 7px; vertical-align: top; }}
th {{ background: #ddebf7; font-weight: bold; text-align: center; }}
td.num {{ text-align: right; white-space: nowrap; }}
td.nowrap {{ white-space: nowrap; }}
tr.total td {{ background: #f2f2f2; font-weight: bold; }}
td.bad {{ color: #c00000; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr));
        gap: 4px 18px; }}
.grid table {{ width: 100%; }}
.note {{ color: #666; font-size: 12px; }}
svg {{ display: block; margin: 8px 0 16px; }}
svg text {{ font-family: {FONT_FAMILY}; }}
@media print {{ h2 {{ page-break-before: auto; }} .grid {{ display: block; }} }}
"""


def render_bulletin_html(content: BulletinContent) -> str:
    """One self-contained page: inline CSS and SVG, no script, no external address; every
    value escaped."""
    e = escape_html
    parts = [
        *html_page_start(content.title, _CSS),
        f'<p class="sub">{e(ISSUER)}　{e(month_label(content.period_month))}</p>',
        '<div class="facts">',
        *(f"<p>{e(fact)}</p>" for fact in facts(content)),
        "</div>",
    ]
    parts += _html_arena(content)
    parts += _html_assessment(content)
    parts += _html_progress(content)
    parts += _html_red(content)
    parts += _html_escalated(content)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_heading(section: str) -> list[str]:
    return [
        f"<h2>{escape_html(SECTION_TITLES[section])}</h2>",
        f'<p class="note">{escape_html(SECTION_NOTES[section])}</p>',
    ]


def _html_arena(content: BulletinContent) -> list[str]:
    parts = _html_heading(ARENA_SHEET)
    growth = ARENA_INDICATORS["fai_growth"][0]
    for group in content.rank_groups:
        parts.append(f"<h3>{escape_html(group)}</h3>")
        overview = arena_overview(content, group)
        parts.append(_html_table(_drop_first_column(overview), caption="名次总览"))
        items = [
            (r["region_name"], r["value"])
            for r in content.arena
            if r["rank_group"] == group and r["indicator"] == "fai_growth"
        ]
        parts.append(svg_bar_chart(f"{group}：{growth}", items, _percent))
        parts.append('<div class="grid">')
        for key, (label, kind) in ARENA_INDICATORS.items():
            rows = tuple(
                (r["rank"], r["region_name"], _arena_value(r), r["note"])
                for r in content.arena
                if r["rank_group"] == group and r["indicator"] == key
            )
            table = Table(
                label,
                (
                    Column("名次", COUNT),
                    Column("地区", nowrap=True),
                    Column("指标值", kind),
                    Column("说明"),
                ),
                rows,
            )
            parts.append(f"<div>{_html_table(table, caption=label)}</div>")
        parts.append("</div>")
    return parts


def _drop_first_column(table: Table) -> Table:
    return Table(table.caption, table.columns[1:], tuple(r[1:] for r in table.rows))


def _html_assessment(content: BulletinContent) -> list[str]:
    parts = _html_heading(ASSESSMENT_SHEET)
    for group in content.rank_groups:
        parts.append(f"<h3>{escape_html(group)}</h3>")
        parts.append(_html_table(_drop_first_column(assessment_table(content, group))))
    return parts


def _html_progress(content: BulletinContent) -> list[str]:
    table = progress_table(content)
    parts = _html_heading(PROGRESS_SHEET)
    parts.append(_html_table(table, bad_gap=True))
    items = [(r["region_name"], r["completion_rate"]) for r in content.progress]
    parts.append(
        svg_bar_chart(
            "年度计划完成率与序时进度",
            items,
            _percent,
            reference=(content.schedule_share, f"序时进度 {content.schedule_share:.1%}"),
        )
    )
    return parts


def _html_red(content: BulletinContent) -> list[str]:
    parts = _html_heading(RED_SHEET)
    total = len(content.red_warnings)
    parts.append(f"<p>本月红色预警共{total}项。</p>")
    parts.append(_html_table(red_summary_table(content)))
    if content.red_warnings:
        listed = red_list_table(content, HTML_RED_LIST_LIMIT)
        parts.append(_html_table(listed, caption=listed.caption))
        if total > HTML_RED_LIST_LIMIT:
            parts.append(
                f'<p class="note">其余{total - HTML_RED_LIST_LIMIT}项见通报xlsx“红色预警”表。</p>'
            )
    return parts


def _html_escalated(content: BulletinContent) -> list[str]:
    parts = _html_heading(ESCALATED_SHEET)
    if not content.escalated:
        parts.append("<p>本月无升级督办问题。</p>")
        return parts
    parts.append(f"<p>本月升级督办问题共{len(content.escalated)}项。</p>")
    summary = escalated_summary_table(content)
    parts.append(_html_table(summary, caption=summary.caption))
    listed = escalated_list_table(content)
    parts.append(_html_table(listed, caption=listed.caption))
    return parts


def _html_table(
    table: Table,
    caption: str | None = None,
    bad_gap: bool = False,
) -> str:
    head = "".join(f"<th>{escape_html(c.header)}</th>" for c in table.columns)
    rows = table.rows
    body = []
    for i, values in enumerate(rows):
        is_total = table.has_total and i == len(rows) - 1
        cells = []
        for col, value in zip(table.columns, values, strict=True):
            css = []
            if col.kind != TEXT:
                css.append("num")
            elif col.nowrap:
                css.append("nowrap")
            if bad_gap and col.kind == PP and isinstance(value, int | float) and value < 0:
                css.append("bad")
            attr = f' class="{" ".join(css)}"' if css else ""
            cells.append(f"<td{attr}>{escape_html(format_value(value, col.kind))}</td>")
        row_attr = ' class="total"' if is_total else ""
        body.append(f"<tr{row_attr}>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}">（无）</td></tr>')
    title = f"<h4>{escape_html(caption)}</h4>" if caption else ""
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def format_value(value, kind: str) -> str:
    """How a value reads in the page: rates as 8.3%, counts whole, 万元 with separators."""
    if value is None or value == "":
        return NO_VALUE if kind != TEXT else ""
    if kind == RATE and isinstance(value, int | float):
        return f"{value:.1%}"
    if kind in (COUNT, WEEKS) and isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if kind == WAN and isinstance(value, int | float):
        return f"{value:,.0f}"
    if kind == PP and isinstance(value, int | float):
        return f"{value:+.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _percent(value: float) -> str:
    return f"{value:.1%}"


# --------------------------------------------------------------------------- SVG charts

_BAR = "#2f6fb0"
_BAR_NEGATIVE = "#c0504d"
_BAR_BEHIND = "#e48a3c"
_AXIS = "#555"


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK glyphs are square, Latin ones about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in text)


def svg_bar_chart(
    title: str,
    items: Sequence[tuple[str, float | None]],
    fmt: Callable[[float], str],
    reference: tuple[float, str] | None = None,
) -> str:
    """A horizontal bar chart as inline SVG: one bar per (label, value), negative values to
    the left of a zero line, a missing value written as 无数据; with `reference`, a dashed
    line at that value and bars short of it drawn in orange."""
    size, row_h, bar_h = 13, 26, 16
    label_w = max([_text_width(label, size) for label, _ in items] + [40]) + 14
    value_w, plot_w = 64, 460
    top = 34
    width = label_w + plot_w + value_w * 2
    height = top + row_h * max(len(items), 1) + 30
    values = [v for _, v in items if v is not None]
    marks = [*values, 0.0, *([reference[0]] if reference else [])]
    lo, hi = min(marks), max(marks)
    if hi == lo:
        hi = lo + 1
    x0 = label_w + value_w  # room on the left for the value of a negative bar

    def x(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * plot_w

    e = escape_html
    out = [
        f'<svg width="{width:.0f}" height="{height}" viewBox="0 0 {width:.0f} {height}" '
        f'role="img" aria-label="{e(title)}">',
        f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{e(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        mid = y + row_h / 2 + size * 0.35
        out.append(
            f'<text x="{label_w - 8:.0f}" y="{mid:.1f}" text-anchor="end" '
            f'font-size="{size}">{e(label)}</text>'
        )
        if value is None:
            out.append(
                f'<text x="{x(0) + 6:.1f}" y="{mid:.1f}" font-size="{size - 1}" '
                f'fill="#888">无数据</text>'
            )
            continue
        left, right = sorted((x(0), x(value)))
        colour = _BAR if value >= 0 else _BAR_NEGATIVE
        if reference and value < reference[0]:
            colour = _BAR_BEHIND
        out.append(
            f'<rect x="{left:.1f}" y="{y + (row_h - bar_h) / 2:.1f}" '
            f'width="{max(right - left, 1):.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        if reference and right - left > 56:
            # Inside the bar's end, so that the label never crosses the reference line.
            out.append(
                f'<text x="{right - 4:.1f}" y="{mid:.1f}" text-anchor="end" fill="#fff" '
                f'font-size="{size - 1}">{e(fmt(value))}</text>'
            )
        elif value >= 0:
            out.append(
                f'<text x="{right + 4:.1f}" y="{mid:.1f}" font-size="{size - 1}">'
                f"{e(fmt(value))}</text>"
            )
        else:
            out.append(
                f'<text x="{left - 4:.1f}" y="{mid:.1f}" text-anchor="end" '
                f'font-size="{size - 1}">{e(fmt(value))}</text>'
            )
    bottom = top + row_h * max(len(items), 1)
    out.append(
        f'<line x1="{x(0):.1f}" y1="{top - 4}" x2="{x(0):.1f}" y2="{bottom + 2}" '
        f'stroke="{_AXIS}" stroke-width="1"/>'
    )
    if reference:
        ref_x = x(reference[0])
        out.append(
            f'<line x1="{ref_x:.1f}" y1="{top - 6}" x2="{ref_x:.1f}" y2="{bottom + 4}" '
            f'stroke="#c00000" stroke-width="1.5" stroke-dasharray="5,3"/>'
        )
        out.append(
            f'<text x="{ref_x:.1f}" y="{bottom + 20}" text-anchor="middle" '
            f'font-size="{size - 1}" fill="#c00000">{e(reference[1])}</text>'
        )
        legend_y = bottom + 20
        for offset, (colour, text) in enumerate(
            ((_BAR, "达到序时进度"), (_BAR_BEHIND, "落后序时进度"))
        ):
            lx = 10 + offset * 120
            out.append(
                f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{lx + 16}" y="{legend_y}" font-size="{size - 1}">{text}</text>'
            )
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- the bulletin


def bulletin_paths(out_dir: Path, period_month: date) -> tuple[Path, Path]:
    month = period_month.replace(day=1)
    directory = Path(out_dir) / BULLETIN_DIR / f"{month:%Y-%m}"
    stem = f"{TITLE}_{month_label(month)}"
    return directory / f"{stem}.xlsx", directory / f"{stem}.html"


def write_bulletin(
    con: duckdb.DuckDBPyConnection, period_month: date, out_dir: Path
) -> BulletinFiles:
    """Write the month's bulletin (.xlsx and .html) from the marts behind `con`, replacing
    an earlier one of the same month; each file is replaced whole, never half-written. A
    bulletin made from the same content by the same code is left as it is, to the byte
    (its digest is kept in `.bulletin.json` beside it): a night with nothing new changes
    nothing that was published."""
    content = bulletin_content(con, period_month)
    xlsx, page = bulletin_paths(out_dir, content.period_month)
    fingerprint = _fingerprint(content)
    state = xlsx.parent / BULLETIN_STATE
    if _already_written(state, fingerprint, (xlsx, page)):
        return BulletinFiles(xlsx=xlsx, html=page, period_month=content.period_month, written=False)
    xlsx.parent.mkdir(parents=True, exist_ok=True)
    write_bulletin_workbook(xlsx, content)
    _write_atomically(page, render_bulletin_html(content).encode("utf-8"))
    _write_atomically(state, json.dumps({"fingerprint": fingerprint}).encode("utf-8"))
    return BulletinFiles(xlsx=xlsx, html=page, period_month=content.period_month)


BULLETIN_STATE = ".bulletin.json"
# The code that lays the bulletin out is part of what it is made from.
_LAYOUT_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _fingerprint(content: BulletinContent) -> str:
    return hashlib.sha256(f"{_LAYOUT_DIGEST}\0{content!r}".encode()).hexdigest()


def _already_written(state: Path, fingerprint: str, files: Sequence[Path]) -> bool:
    try:
        recorded = json.loads(state.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return False
    return recorded == fingerprint and all(f.is_file() for f in files)
