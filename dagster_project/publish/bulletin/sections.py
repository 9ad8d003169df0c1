"""The 通报's eight sections (三(三)), composed from the content: the text a 发改委 writes
around the figures, the tables and the charts. Every renderer draws this one Bulletin."""

from __future__ import annotations

from datetime import date

from dagster_project.publish.bulletin import lists, tables
from dagster_project.publish.bulletin.content import BulletinContent
from dagster_project.publish.bulletin.document import (
    NO_VALUE,
    RATE,
    Bulletin,
    Chart,
    Issuance,
    Section,
    Series,
    format_value,
)

OVERVIEW, ARENA, ASSESSMENT, PROGRESS, WARNINGS, SUBMISSIONS, SHOWCASE, NEXT_STEPS = (
    "overview",
    "arena",
    "assessment",
    "progress",
    "warnings",
    "submissions",
    "showcase",
    "next_steps",
)
TITLES = {
    OVERVIEW: "一、总体情况",
    ARENA: "二、擂台排名",
    ASSESSMENT: "三、绩效考核",
    PROGRESS: "四、在建、已开工未入统、冬季不停工、三早项目推进情况",
    WARNINGS: "五、预警与问题",
    SUBMISSIONS: "六、报送情况与数据质量",
    SHOWCASE: "七、重大项目宣传",
    NEXT_STEPS: "八、下一步工作要求",
}
# Sheet names of the workbook: short, and unique within 31 characters.
SHEETS = {
    OVERVIEW: "总体情况",
    ARENA: "擂台排名",
    ASSESSMENT: "绩效考核",
    PROGRESS: "项目推进",
    WARNINGS: "预警与问题",
    SUBMISSIONS: "报送情况",
    SHOWCASE: "重大项目",
    NEXT_STEPS: "下一步工作",
}


def bulletin_title(month: date) -> str:
    return f"关于{month.year}年{month.month}月全市投资攻坚擂台情况的通报"


def month_span(month: date) -> str:
    """1—10月, or 1月 in January: the span a year-to-date figure covers."""
    return "1月" if month.month == 1 else f"1—{month.month}月"


def compose(
    content: BulletinContent,
    issuance: Issuance,
    next_steps: tuple[str, ...],
    *,
    full_lists: bool = False,
) -> Bulletin:
    """The month's 通报. `full_lists`: every red warning (the workbook), rather than the
    largest ones (the document and the page)."""
    return Bulletin(
        period_month=content.period_month,
        title=bulletin_title(content.period_month),
        issuance=issuance,
        sections=(
            _overview(content),
            _arena(content),
            _assessment(content),
            _progress(content),
            _warnings(content, full_lists),
            _submissions(content),
            Section(
                SHOWCASE,
                TITLES[SHOWCASE],
                (
                    "按二(六)要求，以下项目总投资大、推进快，列入本月重大项目宣传名单，"
                    "各地要加大宣传力度，营造比学赶超的浓厚氛围。",
                ),
                (lists.showcase_table(content),),
            ),
            Section(NEXT_STEPS, TITLES[NEXT_STEPS], next_steps),
        ),
    )


def _percent(value) -> str:
    return format_value(value, RATE)


def _pp_text(value: float | None, higher: str = "高", lower: str = "低") -> str:
    if value is None:
        return ""
    word = higher if value >= 0 else lower
    return f"{word}{abs(value):.1f}个百分点"


def _overview(content: BulletinContent) -> Section:
    month = content.period_month
    city = content.city
    total = content.progress_total
    paragraphs = []
    growth = city.get("fai_growth")
    previous = content.trend[-2]["fai_growth"] if len(content.trend) > 1 else None
    text = f"{month_span(month)}，全市固定资产投资"
    if growth is None:
        text += "增速暂无统计数据"
    else:
        text += f"同比{'增长' if growth >= 0 else '下降'}{abs(growth):.1%}"
        if previous is not None and content.trend[-2]["period_month"].year == month.year:
            text += f"，较上月{_pp_text((growth - previous) * 100, '提高', '回落')}"
    paragraphs.append(text + "。")
    if total:
        gap = total.get("schedule_gap_pp")
        paragraphs.append(
            f"全市在建项目{total['under_construction_count']}个，总投资"
            f"{total['total_investment_wan']:,.0f}万元，本年累计完成投资"
            f"{total['ytd_completed_wan']:,.0f}万元；年度计划完成率"
            f"{_percent(total['completion_rate'])}，序时进度{content.schedule_share:.1%}，"
            f"{'较序时进度' + _pp_text(gap) if gap is not None else '无年度计划'}。"
            f"{month_span(month)}新开工项目{city.get('new_start_count', NO_VALUE)}个，开复工率"
            f"{_percent(city.get('start_resume_rate'))}。"
        )
    paragraphs.append(
        f"本月红色预警项目{len(content.red_warnings)}项，升级至分管副市长督办的问题"
        f"{len(content.escalated)}项；应报送单位{len(content.submissions)}个，其中报齐"
        f"{sum(1 for r in content.submissions if r['is_complete'])}个。"
    )
    return Section(OVERVIEW, TITLES[OVERVIEW], tuple(paragraphs), (), (_trend_chart(content),))


def _month_label(month: date, first: bool) -> str:
    return f"{month.year}年{month.month}月" if first or month.month == 1 else f"{month.month}月"


def _trend_chart(content: BulletinContent) -> Chart:
    trend = content.trend
    return Chart(
        "line",
        f"全市近{len(trend)}个月投资走势",
        tuple(_month_label(r["period_month"], i == 0) for i, r in enumerate(trend)),
        (
            Series("固定资产投资增速", tuple(r["fai_growth"] for r in trend)),
            Series("年度计划完成率", tuple(r["completion_rate"] for r in trend)),
        ),
        RATE,
    )


def _arena(content: BulletinContent) -> Section:
    parts = []
    charts = []
    for group in content.rank_groups:
        parts += [tables.arena_overview(content, group), *tables.arena_tables(content, group)]
        rows = [
            r for r in content.arena if r["rank_group"] == group and r["indicator"] == "fai_growth"
        ]
        rows.sort(key=lambda r: r["region_code"])
        charts.append(
            Chart(
                "bar",
                f"固定资产投资增速（{group}）",
                tuple(r["region_name"] for r in rows),
                (Series("固定资产投资增速", tuple(r["value"] for r in rows)),),
                RATE,
            )
        )
    return Section(
        ARENA,
        TITLES[ARENA],
        (
            "按二(十一)要求，各地在排名组内按六项指标开展竞争排名（并列名次相同，其后名次顺延），"
            "数值越高名次越前；无数值的地区列在最后、名次为空并注明原因。"
            "“变化”为与上月名次相比上升（↑）或下降（↓）的位次。",
        ),
        tuple(parts),
        tuple(charts),
    )


def _assessment(content: BulletinContent) -> Section:
    return Section(
        ASSESSMENT,
        TITLES[ASSESSMENT],
        (
            "考核指标：" + "、".join(tables.ASSESSMENT_INDICATORS.values()) + "。按各指标组内名次"
            "之和排序，名次之和相同时固定资产投资增速名次靠前者在前；无数值的指标按末位计。",
        ),
        tuple(tables.assessment_table(content, g) for g in content.rank_groups),
    )


def _progress(content: BulletinContent) -> Section:
    regions = [r for r in content.progress if not r["is_total"]]
    return Section(
        PROGRESS,
        TITLES[PROGRESS],
        (
            f"年度计划完成率按有年度计划的在建项目计算，序时进度为{content.schedule_share:.1%}"
            "（报告月份÷12）；已开工未入统按本月最后一次周调度统计。环比为与上月相比，"
            "同比为与上年同月相比。",
            _three_early_text(content),
            _approvals_text(content),
        ),
        (
            tables.progress_table(content),
            tables.comparison_table(content),
            tables.three_early_table(content),
            tables.approval_timeliness_table(content),
            tables.slowest_approvals_table(content),
        ),
        (
            Chart(
                "bar",
                "各地年度计划完成率（虚线为序时进度）",
                tuple(r["region_name"] for r in regions),
                (Series("年度计划完成率", tuple(r["completion_rate"] for r in regions)),),
                RATE,
                reference=content.schedule_share,
            ),
        ),
    )


def _three_early_text(content: BulletinContent) -> str:
    total = next((r for r in content.three_early if r["is_total"]), {})
    year = content.period_month.year
    count = total.get("three_early_count") or 0
    text = f"按二(九)要求逐月调度“三早”项目：{year}年全市三早项目{count}个"
    if count:
        text += (
            f"，已开工{total['started_count']}个（开工率{_percent(total['start_rate'])}）"
            f"，逾期未开工{total['overdue_count']}个"
            f"，年度计划完成率{_percent(total['completion_rate'])}"
        )
    return (
        f"{text}；{year + 1}年三早项目已提出{total.get('next_year_count') or 0}个，"
        f"其中前期手续全部办结{total.get('next_year_ready_count') or 0}个。"
    )


def _approvals_text(content: BulletinContent) -> str:
    rows = content.approval_timeliness
    done = sum(r["done_count"] for r in rows)
    if not done:
        return "按二(十三)要求统计审批时效：本年尚无填报办结日期的前期手续。"
    online = sum(r["online_count"] for r in rows)
    slowest = content.slowest_approvals[0] if content.slowest_approvals else None
    text = f"按二(十三)要求统计审批时效：本年全市办结前期手续{done}项，其中在线办理{online}项"
    if slowest:
        text += (
            f"；办理时间最长的是{slowest['region_name']}{slowest['project_name']}的"
            f"{slowest['approval_name']}手续，历时{slowest['days_taken']}天"
        )
    return text + "。各地要对照全流程在线办理要求，杜绝线下审批。"


def _warnings(content: BulletinContent, full_lists: bool) -> Section:
    overdue = sum(1 for r in content.escalated if r["is_overdue"])
    return Section(
        WARNINGS,
        TITLES[WARNINGS],
        (
            _region_warnings_text(content),
            f"本月红色预警项目{len(content.red_warnings)}项（二(一) 苗头性、倾向性问题），"
            "各地要逐项分析原因、限期整改。",
            f"超过办结时限仍未办结、或无办结时限且办理超过30天的问题{len(content.escalated)}项"
            f"（其中超期{overdue}项），已报分管副市长牵头协调（三(四)）。",
        ),
        (
            lists.region_warnings_table(content),
            lists.red_summary_table(content),
            lists.red_list_table(content, None if full_lists else lists.RED_LIST_LIMIT),
            lists.escalated_summary_table(content),
            lists.escalated_table(content),
        ),
    )


REGION_WARNING_RULES = "投资增速连续三个月回落、落后序时进度的差距连续三个月扩大或开复工率低于全市"


def _region_warnings_text(content: BulletinContent) -> str:
    warnings = content.region_warnings
    if not warnings:
        return f"本月无地区预警（{REGION_WARNING_RULES}）。"
    regions = len({r["region_code"] for r in warnings})
    red = sum(1 for r in warnings if r["level"] == "红")
    return (
        f"本月{regions}个地区出现地区预警{len(warnings)}项（其中红色{red}项），即"
        f"{REGION_WARNING_RULES}，相关地区要深入分析原因、拿出针对性措施。"
    )


def _submissions(content: BulletinContent) -> Section:
    rows = content.submissions
    late = [r["region_name"] for r in rows if r["is_complete"] and r["is_late"]]
    missing = [r["region_name"] for r in rows if not r["is_complete"] and not r.get("is_exempt")]
    errors = sum(r["error_count"] or 0 for r in rows)
    text = f"本月应报送单位{len(rows)}个"
    text += f"，逾期报送{len(late)}个（{'、'.join(late)}）" if late else "，均按时报送"
    if missing:
        text += f"，未报齐{len(missing)}个（{'、'.join(missing)}）"
    text += f"；数据质量错误{errors}项，已随数据质量报告反馈各地更正。"
    return Section(SUBMISSIONS, TITLES[SUBMISSIONS], (text,), (lists.submission_table(content),))
