"""The simulated project lifecycle of one submitter, month by month (pure, seeded).

A project is conceived (a company's may come by 招商引资 and sit on the 招商引资 list from
its signing until after its start), may sit on 重大谋划项目 (≥1亿), moves to 明年拟开工
while its 前期手续 are done, starts (在建), waits on 已开工未入统 until the statistics bureau takes
it in (入统), spends its investment season by season and drops off after completion.
`rows_for_month` gives the canonical rows (field name -> value) a submitter reports for a
month; amounts are in 万元, months are the first day of the month.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dagster_project.contract import APPROVALS as CONTRACT_APPROVALS
from dagster_project.contract import SECTORS
from dagster_project.demo.names import SECTOR_CODES, Namer
from dagster_project.demo.periods import (
    calendar_month,
    month_end,
    month_index,
    month_start,
    year_of,
)

# Arrivals per submitter and month at intensity 1; with the listing times below a city
# submitter reports about 250 rows a month across the seven lists.
ARRIVALS_PER_MONTH = 8.5
PURE_PLANNING_PER_MONTH = 0.8
# Simulated months before the first reported one, so that reporting starts in a steady
# state with many 续建 projects; the simulation never starts later than EPOCH, so a month
# reads the same whatever range of months is generated.
WARM_UP_MONTHS = 60
EPOCH = 2019 * 12  # January 2019

_SECTOR_WEIGHTS = (22, 8, 10, 6, 8, 16, 12, 6, 9, 3)
_SECTOR_MEDIAN = {"交通": 6000, "能源": 8000, "水利": 4000, "新基建": 3000}
_PUBLIC = ("交通", "水利", "城建", "社会事业", "生态环保", "农业")
APPROVALS = tuple(f"approval_{key}" for key, _, _ in CONTRACT_APPROVALS)
_UNSTATED_REASONS = (
    "入库资料正在准备",
    "施工许可证尚未取得",
    "已报统计部门，待审核",
    "项目单位未及时提供财务资料",
    "投资额未达到入库标准",
    "土地手续不全",
)


@dataclass(frozen=True)
class Approval:
    begin: int  # month the procedure started (在办)
    done: int | None  # month it was granted (已办); None = not within the horizon

    def state(self, m: int) -> tuple[str, date | None]:
        if self.done is not None and self.done <= m:
            return "已办", month_start(self.done)
        return ("在办" if self.begin <= m else "未办"), None


@dataclass(frozen=True)
class Bond:
    listed_from: int
    listed_until: int
    amount: int
    issued: int
    issued_month: int | None
    revenue: int
    cost: int


@dataclass(frozen=True)
class Attraction:
    """二(八): a project a company from elsewhere signed for, on the 招商引资 list from the
    month of signing until a few months after its start (or its last listed month)."""

    investor: str
    signed_on: date
    amount: int  # 签约金额, 万元
    listed_from: int
    listed_until: int
    registered: int  # month the local company was registered (已注册)
    landed: int  # month it had its land and approvals (已落地)
    # Share of the amount in place at registration, at landing, and added each month after
    # the start.
    shares: tuple[float, float, float]


@dataclass
class Project:
    serial: int
    region_code: str
    code: str
    code_month: int
    code_reported: bool  # a few counties leave the code blank on the 在建 list
    name: str
    owner: str
    location: str
    sector: str
    base_type: str  # 新建/扩建/改建; 新建 reads 续建 after its start year
    scope: str
    total_wan: int
    library_level: str
    funding: tuple[str, ...]
    central_budget_wan: int | None
    responsible_unit: str
    responsible_person: tuple[str, ...]
    contact_phone: tuple[str, ...]
    three_early: bool
    winter: bool
    planning_from: int | None
    planning_until: int | None
    planned_list_from: int | None
    planned_list_until: int | None
    planned_start: int
    actual_start: int | None
    planned_completion: int
    completion: int | None
    stats_entry: int | None
    expected_stats: int | None
    stats_entry_day: int
    on_unstated_list: bool
    unstated_reason: str
    approvals: dict[str, Approval] = field(default_factory=dict)
    resume: dict[int, int] = field(default_factory=dict)  # year -> month 复工
    resume_reported: bool = False
    planned_spend: list[float] = field(default_factory=list)  # from actual_start
    spend: list[float] = field(default_factory=list)
    annual_plan: dict[int, int] = field(default_factory=dict)
    bond: Bond | None = None
    attraction: Attraction | None = None

    def under_construction(self, m: int) -> bool:
        return self.actual_start is not None and self.actual_start <= m <= self.completion

    def ytd(self, m: int) -> float:
        """Investment completed from January of m's year to the end of m."""
        if self.actual_start is None or m < self.actual_start:
            return 0.0
        first = max(self.actual_start, year_of(m) * 12)
        last = min(m, self.completion)
        return sum(self.spend[first - self.actual_start : last - self.actual_start + 1])

    def construction_type(self, m: int) -> str:
        if self.base_type != "新建":
            return self.base_type
        started = self.actual_start if self.actual_start is not None else self.planned_start
        return "新建" if year_of(started) >= year_of(m) else "续建"


def poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _nice(value: float) -> int:
    """Round to the way amounts are planned: 2-3 significant digits."""
    if value < 1000:
        return max(10, int(round(value / 10) * 10))
    digits = 10 ** max(0, int(math.log10(value)) - 2)
    return int(round(value / digits) * digits)


def _into_season(m: int, winter: bool) -> int:
    """Work starts and finishes between March and November unless it goes on in winter."""
    if winter:
        return m
    while calendar_month(m) in (12, 1, 2):
        m += 1
    return m


def _completion_season(m: int) -> int:
    while calendar_month(m) not in range(4, 12):
        m += 1
    return m


def _weight(m: int, winter: bool) -> float:
    month = calendar_month(m)
    if winter:
        return 0.5 if month in (12, 1, 2) else 1.0
    return {12: 0.0, 1: 0.0, 2: 0.0, 3: 0.3, 11: 0.4}.get(month, 1.0)


def _total(rng: random.Random, sector: str) -> int:
    median = _SECTOR_MEDIAN.get(sector, 2500)
    value = math.exp(rng.gauss(math.log(median), 1.3))
    return _nice(min(500_000.0, max(500.0, value)))


def simulate(
    region: dict,
    first: int,
    last: int,
    seed: int,
    intensity: float = 1.0,
    keep_from: int | None = None,
) -> list[Project]:
    """All projects of one submitter that are on some list in a month from `keep_from`
    (default: January of the year before `first`) to `last`."""
    code = region["region_code"]
    rng = random.Random(f"{seed}:{code}:projects")
    namer = Namer(region, rng)
    serials: set[int] = set()
    projects: list[Project] = []
    for m in range(min(EPOCH, first - WARM_UP_MONTHS), last + 1):
        for _ in range(poisson(rng, ARRIVALS_PER_MONTH * intensity)):
            projects.append(_new_project(rng, namer, code, m, serials, pure_planning=False))
        for _ in range(poisson(rng, PURE_PLANNING_PER_MONTH * intensity)):
            projects.append(_new_project(rng, namer, code, m, serials, pure_planning=True))
    if keep_from is None:
        keep_from = year_of(first - 12) * 12
    return [p for p in projects if _last_listed(p) >= keep_from]


def _last_listed(p: Project) -> int:
    ends = [p.planning_until or -1, p.planned_list_until or -1, p.completion or -1]
    if p.bond:
        ends.append(p.bond.listed_until)
    return max(ends)


@dataclass(frozen=True)
class _Timeline:
    planning_from: int | None
    planning_until: int | None
    planned_list_from: int | None
    planned_list_until: int | None
    planned_start: int
    actual_start: int | None  # None: not started within the horizon
    planned_completion: int
    completion: int | None


def _timeline(
    rng: random.Random, m0: int, total: int, winter: bool, pure_planning: bool
) -> _Timeline:
    """When a project conceived in m0 is on which list, starts and completes."""
    planning_from = planning_until = planned_list_from = None
    through_planning = total >= 10000 and (pure_planning or rng.random() < 0.75)
    on_planned_list = total >= 5000 or (total >= 3000 and rng.random() < 0.25)
    if through_planning:
        planning_from = m0
        planning_until = m0 + (rng.randint(18, 60) if pure_planning else rng.randint(3, 18))
        planned_list_from = None if pure_planning else planning_until
        lead = rng.randint(4, 14)
        base = planning_until + (rng.randint(6, 24) if pure_planning else 0)
    elif on_planned_list:
        planned_list_from = m0
        lead, base = rng.randint(4, 14), m0
    else:
        lead, base = rng.randint(1, 6), m0
    planned_start = _into_season(base + lead, winter)
    if planned_start != base + lead:
        planned_start += rng.randint(0, 2)  # spread the spring starts over March to May

    draw = rng.random()
    if pure_planning or draw >= 0.95:
        delay = None  # planned but not started: the start_overdue warnings
    elif draw < 0.6:
        delay = 0
    elif draw < 0.85:
        delay = rng.randint(1, 2)
    else:
        delay = rng.randint(3, 6)
    actual_start = None if delay is None else _into_season(planned_start + delay, winter)

    if total < 3000:
        duration = rng.randint(4, 10)
    elif total < 10000:
        duration = rng.randint(6, 18)
    elif total < 50000:
        duration = rng.randint(12, 30)
    else:
        duration = rng.randint(24, 48)
    planned_completion = _completion_season(planned_start + duration)
    completion = None
    if actual_start is not None:
        overrun = 0 if rng.random() < 0.7 else rng.randint(1, 4)
        completion = _completion_season(
            max(planned_completion + (delay or 0) + overrun, actual_start + 3)
        )

    planned_list_until = None
    if planned_list_from is not None:
        planned_list_until = (actual_start - 1) if actual_start is not None else planned_start + 9
        if planned_list_until < planned_list_from:
            planned_list_from = planned_list_until = None
    return _Timeline(
        planning_from,
        planning_until,
        planned_list_from,
        planned_list_until,
        planned_start,
        actual_start,
        planned_completion,
        completion,
    )


def _serial(rng: random.Random, taken: set[int]) -> int:
    serial = rng.randint(100000, 999999)
    while serial in taken:
        serial = rng.randint(100000, 999999)
    taken.add(serial)
    return serial


def _library_level(rng: random.Random, total: int) -> str:
    if total >= 100000:
        return "省级" if rng.random() < 0.5 else "市级"
    if total >= 10000:
        return "市级" if rng.random() < 0.4 else "县级"
    return "市级" if rng.random() < 0.05 else "县级"


def _new_project(rng, namer: Namer, code: str, m0: int, serials: set, pure_planning: bool):
    sector = rng.choices(SECTORS, weights=_SECTOR_WEIGHTS)[0]
    total = _total(rng, sector)
    if pure_planning:
        total = max(total, _nice(10000 * math.exp(rng.gauss(0.8, 0.8))))
    winter = rng.random() < (0.25 if total >= 10000 else 0.1)
    naming = namer.project(sector, year_of(m0) + 1)
    t = _timeline(rng, m0, total, winter, pure_planning)
    serial = _serial(rng, serials)

    approvals = {}
    if t.planned_list_from is not None:
        approvals = _approvals(rng, t.planned_list_from, t.planned_start, t.actual_start)
    if "approval_project" in approvals and approvals["approval_project"].done is not None:
        code_month = approvals["approval_project"].done  # the code comes with 立项
    elif t.actual_start is not None:
        code_month = t.actual_start - rng.randint(1, 6)
    else:
        code_month = t.planned_start + 100  # never coded within the horizon
    project_code = (
        f"{year_of(code_month):04d}-{code}-{rng.choice(SECTOR_CODES[sector])}-"
        f"{rng.choice(('01', '02', '03'))}-{serial:06d}"
    )

    funding, central = _funding(rng, sector, total)
    unit, people, phones = namer.responsible()
    stats_entry = expected = None
    if t.actual_start is not None:
        lag = rng.choices((1, 2, 3, 4, rng.randint(6, 12)), weights=(40, 30, 15, 7, 8))[0]
        stats_entry = t.actual_start + lag
        expected = t.actual_start + rng.randint(1, 2)

    p = Project(
        serial=serial,
        region_code=code,
        code=project_code,
        code_month=code_month,
        code_reported=rng.random() > 0.02,
        name=naming.name,
        owner=naming.owner,
        location=naming.location,
        sector=sector,
        base_type=_base_type(naming.name, rng),
        scope=naming.scope,
        total_wan=total,
        library_level=_library_level(rng, total),
        funding=funding,
        central_budget_wan=central,
        responsible_unit=unit,
        responsible_person=people,
        contact_phone=phones,
        three_early=t.planned_list_from is not None
        and calendar_month(t.planned_start) <= 4
        and rng.random() < 0.5,
        winter=winter,
        planning_from=t.planning_from,
        planning_until=t.planning_until,
        planned_list_from=t.planned_list_from,
        planned_list_until=t.planned_list_until,
        planned_start=t.planned_start,
        actual_start=t.actual_start,
        planned_completion=t.planned_completion,
        completion=t.completion,
        stats_entry=stats_entry,
        expected_stats=expected,
        stats_entry_day=rng.randint(5, 25),
        on_unstated_list=total >= 5000 or rng.random() < 0.3,
        unstated_reason=rng.choice(_UNSTATED_REASONS),
        approvals=approvals,
    )
    if t.actual_start is not None:
        _schedule(rng, p)
    if "专项债" in funding:
        p.bond = _bond(rng, p)
        # A bond application needs an approved project, hence a code, from the start.
        if p.bond.listed_from < p.code_month:
            p.code_month = p.bond.listed_from
            p.code = f"{year_of(p.code_month):04d}{p.code[4:]}"
    p.attraction = _attraction(p)
    return p


# 二(八): the sectors companies from elsewhere invest in, and where they come from.
_ATTRACTED_SECTORS = ("工业", "服务业", "农业", "能源", "新基建")
_INVESTOR_HOMES = ("浙江", "江苏", "广东", "北京", "上海", "山东", "深圳", "天津", "辽宁", "福建")


def _attraction(p: Project) -> Attraction | None:
    """Three in five of the companies' industrial, service, farming, energy and new
    infrastructure projects of 2000万 and more that are meant to start came by 招商引资
    (own draws per project: the projects' stream of draws stays as it was)."""
    if p.sector not in _ATTRACTED_SECTORS or "公司" not in p.owner or p.total_wan < 2000:
        return None
    rng = random.Random(f"attraction:{p.region_code}:{p.serial}")
    if rng.random() >= 0.6:
        return None
    if p.planned_list_from is None and p.actual_start is None:
        return None  # a pure 谋划 idea: no company has signed for it
    if p.planning_from is not None:  # signed in its 招商 stage on the 重大谋划 list
        signed = (p.planning_from + p.planning_until) // 2
    else:
        listed = (p.planned_list_from, p.actual_start, p.bond and p.bond.listed_from)
        signed = min(m for m in listed if m is not None) - rng.randint(0, 4)
    start = p.actual_start if p.actual_start is not None else p.planned_start
    registered = signed + rng.randint(1, 3)
    landed = max(registered, start - rng.randint(2, 8))
    if p.actual_start is not None:
        until = min(p.actual_start + rng.randint(0, 3), p.completion)
    else:  # with the last row of its other lists, and that row's 状态说明
        until = max(
            p.planned_list_until or -1,
            p.bond.listed_until if p.bond else -1,
            (p.planning_until - 1) if p.planning_from is not None else -1,
        )
    brand = re.sub(r"(集团)?(股份)?有限公司$", "", p.owner.removeprefix("吉林省"))
    return Attraction(
        investor=f"{rng.choice(_INVESTOR_HOMES)}{brand}集团有限公司",
        signed_on=month_start(signed).replace(day=rng.randint(1, 28)),
        amount=_nice(p.total_wan * rng.uniform(0.8, 1.1)),
        listed_from=signed,
        listed_until=until,
        registered=registered,
        landed=landed,
        shares=(rng.uniform(0.02, 0.1), rng.uniform(0.15, 0.35), rng.uniform(0.03, 0.08)),
    )


def _base_type(name: str, rng: random.Random) -> str:
    """建设性质 as the title implies it; a new project reads 续建 after its first year."""
    if "扩建" in name or "扩能" in name:
        return "扩建"
    if any(word in name for word in ("改造", "提标", "加固", "提升")):
        return "改建"
    return "扩建" if rng.random() < 0.04 else "新建"


def _approvals(rng, listed_from: int, planned_start: int, actual_start: int | None):
    offsets = {
        "approval_project": rng.randint(3, 10),
        "approval_land": rng.randint(0, 6),
        "approval_planning": rng.randint(0, 5),
        "approval_environment": rng.randint(0, 6),
        "approval_construction": rng.randint(-1, 1),
    }
    late = rng.choice(APPROVALS[1:4])  # the procedure that holds a delayed project back
    out = {}
    for name, offset in offsets.items():
        done: int | None = planned_start - offset
        if actual_start is None:
            if name in ("approval_construction", late):
                done = None
        else:
            if name == late and actual_start - planned_start >= 3:
                done = actual_start - 1
            done = min(done, actual_start)
        reference = done if done is not None else planned_start
        begin = max(listed_from - 2, reference - rng.randint(1, 4))
        out[name] = Approval(begin=min(begin, reference), done=done)
    return out


def _funding(rng, sector: str, total: int) -> tuple[tuple[str, ...], int | None]:
    public = sector in _PUBLIC
    sources = set()
    central = None
    if public and rng.random() < 0.25:
        sources.add("中央预算内")
        central = _nice(total * rng.uniform(0.1, 0.4))
    if public and total >= 3000 and rng.random() < 0.22:
        sources.add("专项债")
    if total >= 10000 and rng.random() < 0.04:
        sources.add("PPP")
    if rng.random() < 0.3:
        sources.add("贷款")
    if not public or rng.random() < 0.6 or not sources:
        sources.add("自筹")
    if rng.random() < 0.03:
        sources.add("其他")
    order = ("中央预算内", "专项债", "PPP", "自筹", "贷款", "其他")
    return tuple(s for s in order if s in sources), central


def _schedule(rng: random.Random, p: Project) -> None:
    """Spread the investment over the construction months, season by season."""
    start, end = p.actual_start, p.completion
    for year in range(year_of(start) + 1, year_of(end) + 1):
        resume = year * 12 if p.winter else year * 12 + rng.choices((2, 3, 4), (30, 50, 20))[0]
        p.resume[year] = min(resume, end)
    p.resume_reported = rng.random() < 0.6

    weights = []
    for m in range(start, end + 1):
        resumed = year_of(m) == year_of(start) or m >= p.resume[year_of(m)]
        weights.append(_weight(m, p.winter) if resumed else 0.0)
    if sum(weights) == 0:
        weights = [1.0] * len(weights)
    share = p.total_wan * rng.uniform(0.85, 1.0) / sum(weights)
    p.planned_spend = [w * share for w in weights]

    actual = list(p.planned_spend)
    if rng.random() < 0.05 and len(actual) > 8:  # a stretch without progress: stalled
        at = rng.randint(2, len(actual) - 6)
        for i in range(at, at + rng.randint(3, 5)):
            actual[i] = 0.0
    p.spend = actual

    lagging = rng.random() < 0.15
    spent_before = 0.0
    for year in range(year_of(start), year_of(end) + 1):
        planned = sum(s for i, s in enumerate(p.planned_spend) if year_of(start + i) == year)
        factor = rng.uniform(1.5, 2.2) if lagging else rng.uniform(0.95, 1.3)
        # Ambitious plans, but never more than what is left of the total.
        remaining = p.total_wan - spent_before
        p.annual_plan[year] = max(1, min(_nice(planned * factor), int(remaining)))
        spent_before += planned


def _bond(rng: random.Random, p: Project) -> Bond:
    amount = _nice(p.total_wan * rng.uniform(0.3, 0.8))
    cost = _nice(amount * rng.uniform(1.3, 1.9))
    coverage = rng.uniform(0.85, 1.1) if rng.random() < 0.15 else rng.uniform(1.1, 2.4)
    issued_month = None if rng.random() < 0.2 else p.planned_start - rng.randint(0, 8)
    issued = amount if rng.random() < 0.6 else _nice(amount * rng.uniform(0.4, 0.9))
    listed_from = p.planned_start - rng.randint(6, 14)
    if p.actual_start is None:
        listed_until = p.planned_start + 12
    else:
        listed_until = min(p.completion, p.actual_start + 18)
    return Bond(
        listed_from=listed_from,
        listed_until=listed_until,
        amount=amount,
        issued=issued,
        issued_month=issued_month,
        revenue=_nice(cost * coverage),
        cost=cost,
    )


# --------------------------------------------------------------------------------------
# What a submitter reports for a month
# --------------------------------------------------------------------------------------


# 二(七): in which 十四五 plan a project is, by size (shares of 国家/省/市/否, and unstated).
_PLAN_SHARES = {
    True: (("国家", 12), ("省", 33), ("市", 35), ("否", 15), (None, 5)),  # ≥ 1亿
    False: (("省", 5), ("市", 30), ("否", 55), (None, 10)),
}
# Why a project that never started leaves the lists; one in four leaves without a word.
_EXIT_NOTES = (
    "调出储备库：前期论证未通过",
    "暂缓实施，待资金落实后重新申报",
    "项目终止：投资主体投资意向变化",
    "并入同类项目统筹实施",
)


def plan_inclusion(p: Project) -> str | None:
    """纳入“十四五”规划 (国家/省/市/否), fixed per project (its own draw: the projects' stream
    of draws stays as it was)."""
    values, weights = zip(*_PLAN_SHARES[p.total_wan >= 10000], strict=True)
    return random.Random(f"plan:{p.region_code}:{p.serial}").choices(values, weights)[0]


def exit_note(p: Project, m: int) -> str | None:
    """The 状态说明 of the last row of a project that leaves every list without starting."""
    if p.actual_start is not None:
        return None
    ends = [p.planned_list_until or -1, p.bond.listed_until if p.bond else -1]
    if p.planning_from is not None:
        ends.append(p.planning_until - 1)  # the month before planning_until
    if m != max(ends):
        return None
    rng = random.Random(f"exit:{p.region_code}:{p.serial}")
    return None if rng.random() < 0.25 else rng.choice(_EXIT_NOTES)


def approval_timing(p: Project, m: int) -> dict:
    """二(十三) 申请日期 / 办结日期 / 在线办理 of each approval as month m's list states them:
    the application once the procedure started, the completion once granted; one project in
    six leaves them empty, and one approval in seven is handled offline (own draws per
    project, in the same order whatever the month)."""
    rng = random.Random(f"approval:{p.region_code}:{p.serial}")
    if rng.random() < 1 / 6:
        return {}
    out: dict = {}
    for name in APPROVALS:
        approval = p.approvals[name]
        applied_day, done_day, online = rng.randint(1, 28), rng.randint(1, 28), rng.random()
        if approval.begin > m:
            continue
        applied = month_start(approval.begin).replace(day=applied_day)
        out[f"{name}_applied_on"] = applied
        if approval.done is not None and approval.done <= m:
            out[f"{name}_done_on"] = max(applied, month_start(approval.done).replace(day=done_day))
        out[f"{name}_online"] = online >= 1 / 7
    return out


# 二(四) 财务评价 and 支出进度: a bond's rate and term (one list in five leaves them empty;
# the warehouse then takes the dbt vars' defaults), and how fast its issued funds are spent
# (one bond in five slowly; one in four does not report 已支出金额).
_BOND_TERMS = (7, 10, 10, 15, 20, 30)


def bond_terms(p: Project) -> tuple[float | None, int | None, float | None]:
    """(rate in %, term in years, share of the issued funds spent a month, None when the
    list does not report spending), fixed per project (its own draws)."""
    rng = random.Random(f"bond:{p.region_code}:{p.serial}")
    pace = rng.uniform(0.02, 0.06) if rng.random() < 0.2 else rng.uniform(0.08, 0.25)
    if rng.random() < 0.25:
        pace = None
    if rng.random() < 0.2:
        return None, None, pace
    return round(rng.uniform(2.2, 3.6), 2), rng.choice(_BOND_TERMS), pace


def bond_spent(p: Project, m: int, issued: int) -> float | None:
    """已支出金额 in month m: the pace's share of the issued funds for every month since
    issuance, up to all of them."""
    pace = bond_terms(p)[2]
    if not issued or pace is None or p.bond is None or p.bond.issued_month is None:
        return None
    months = m - p.bond.issued_month + 1
    return round(issued * min(1.0, months * pace), 1)


def _common(p: Project, m: int) -> dict:
    return {
        "project_code": p.code if m >= p.code_month else None,
        "project_name": p.name,
        "project_owner": p.owner,
        "location": p.location,
        "sector": p.sector,
        "total_investment_wan": p.total_wan,
        "responsible_unit": p.responsible_unit,
        "responsible_person": p.responsible_person,
        "contact_phone": p.contact_phone,
        "library_level": p.library_level,
    }


def _month(m: int | None) -> date | None:
    return None if m is None else month_start(m)


def _target_task(p: Project, m: int) -> str:
    year = year_of(m)
    if year_of(p.completion) == year:
        return "年内竣工投产" if p.sector in ("工业", "能源") else "年内完工并投入使用"
    if year_of(p.actual_start) == year:
        return f"年内完成投资{p.annual_plan[year]}万元，完成基础及主体工程"
    return f"完成年度计划投资{p.annual_plan[year]}万元"


def under_construction_row(p: Project, m: int) -> dict:
    year = year_of(m)
    kind = p.construction_type(m)
    resume = p.resume.get(year)
    issued = p.bond is not None and p.bond.issued_month is not None and p.bond.issued_month <= m
    bond_part = p.bond.issued if issued else None
    return _common(p, m) | {
        "project_code": p.code if (m >= p.code_month and p.code_reported) else None,
        "construction_type": kind,
        "scope": p.scope,
        "central_budget_wan": p.central_budget_wan,
        "special_bond_funding_wan": bond_part,
        "annual_plan_wan": p.annual_plan[year],
        "ytd_completed_wan": round(p.ytd(m), 1 if p.total_wan < 2000 else 0),
        "planned_start": _month(p.planned_start),
        "actual_start": _month(p.actual_start),
        "resume_month": _month(resume)
        if kind == "续建" and p.resume_reported and resume is not None and resume <= m
        else None,
        "planned_completion": _month(p.planned_completion),
        # The clerk fills in the completion month when the project is done; the next month
        # it leaves the list.
        "actual_completion": _month(p.completion) if m == p.completion else None,
        "target_task": _target_task(p, m),
        "funding_sources": p.funding,
        "in_stats": p.stats_entry <= m,
        "stats_entry_month": _month(p.stats_entry) if p.stats_entry <= m else None,
        "plan_inclusion": plan_inclusion(p),
        "is_three_early": p.three_early,
        "is_winter_continuous": p.winter,
        "remarks": None,
    }


def unstated_row(p: Project, m: int, as_of: date | None = None) -> dict:
    """The 已开工未入统 row; `as_of` (a day in m) for the weekly return."""
    entered = p.stats_entry < m or (
        p.stats_entry == m and (as_of is None or as_of.day >= p.stats_entry_day)
    )
    ytd = p.ytd(m - 1) if year_of(m - 1) == year_of(m) else 0.0
    this_month = p.ytd(m) - ytd
    if as_of is not None:
        this_month *= as_of.day / month_end(m).day
    return _common(p, m) | {
        "actual_start": _month(p.actual_start),
        "ytd_completed_wan": round(ytd + this_month, 0),
        "expected_stats_month": _month(p.expected_stats),
        "unstated_reason": None if entered else p.unstated_reason,
        "in_stats": entered,
        "stats_entry_month": _month(p.stats_entry) if entered else None,
        "remarks": "本月已入统" if entered else None,
    }


def special_bond_row(p: Project, m: int) -> dict:
    b = p.bond
    issued = b.issued if b.issued_month is not None and b.issued_month <= m else 0
    started = p.actual_start is not None and p.actual_start <= m
    return _common(p, m) | {
        "bond_amount_wan": b.amount,
        "bond_issued_wan": issued,
        "expected_revenue_wan": b.revenue,
        "cost_wan": b.cost,
        "coverage_ratio": round(b.revenue / b.cost, 2),
        "bond_rate": bond_terms(p)[0],
        "bond_term_years": bond_terms(p)[1],
        "bond_spent_wan": bond_spent(p, m, issued),
        "planned_start": _month(p.planned_start),
        "actual_start": _month(p.actual_start) if started else None,
        "status_note": exit_note(p, m),
        "remarks": "已发行未开工" if issued and not started else None,
    }


def planned_row(p: Project, m: int) -> dict:
    return _common(p, m) | {
        "construction_type": p.base_type,
        "scope": p.scope,
        "planned_start": _month(p.planned_start),
        "planned_completion": _month(p.planned_completion),
        **{name: p.approvals[name].state(m) for name in APPROVALS},
        **approval_timing(p, m),
        "is_three_early": p.three_early,
        "funding_sources": p.funding,
        "plan_inclusion": plan_inclusion(p),
        "status_note": exit_note(p, m),
        "remarks": None,
    }


def _planning_stage(p: Project, m: int) -> str:
    progress = (m - p.planning_from) / max(1, p.planning_until - p.planning_from)
    if progress < 0.4:
        return "谋划"
    if progress < 0.75:
        return "招商" if p.sector in ("工业", "服务业") else "前期"
    return "待开工" if p.planned_list_from is not None else "前期"


def planning_row(p: Project, m: int) -> dict:
    row = _common(p, m)
    del row["project_code"]
    return row | {
        "scope": p.scope,
        "construction_period": (_month(p.planned_start), _month(p.planned_completion)),
        "planning_stage": _planning_stage(p, m),
        "funding_sources": p.funding,
        "plan_inclusion": plan_inclusion(p),
        "status_note": exit_note(p, m),
        "remarks": None,
    }


def attraction_row(p: Project, m: int) -> dict:
    a = p.attraction
    started = p.actual_start is not None and p.actual_start <= m
    if started:
        status = "已开工"
    elif m >= a.landed:
        status = "已落地"
    else:
        status = "已注册" if m >= a.registered else "已签约"
    at_registration, at_landing, monthly = a.shares
    share = 0.0
    if m >= a.registered:
        share = at_registration
    if m >= a.landed:
        share = at_landing
    if started:
        share = min(0.95, at_landing + monthly * (m - p.actual_start + 1))
    return _common(p, m) | {
        "investor": a.investor,
        "scope": p.scope,
        "signed_on": a.signed_on,
        "signed_amount_wan": a.amount,
        "funds_in_place_wan": round(a.amount * share),
        "landing_status": status,
        "planned_start": _month(p.planned_start),
        "status_note": exit_note(p, m),
        "remarks": "已转入在建项目清单" if started else None,
    }


def rows_for_month(projects: list[Project], m: int) -> dict[str, list[tuple[Project, dict]]]:
    """Every list's rows for month m, in the order the projects first came up."""
    out: dict[str, list[tuple[Project, dict]]] = {
        "under_construction": [],
        "unstated": [],
        "special_bonds": [],
        "planned_next_year": [],
        "major_planning": [],
        "investment_attraction": [],
    }
    for p in projects:
        if p.under_construction(m):
            out["under_construction"].append((p, under_construction_row(p, m)))
        if _on_unstated(p, m):
            out["unstated"].append((p, unstated_row(p, m)))
        if p.bond and p.bond.listed_from <= m <= p.bond.listed_until:
            out["special_bonds"].append((p, special_bond_row(p, m)))
        if p.planned_list_from is not None and p.planned_list_from <= m <= p.planned_list_until:
            out["planned_next_year"].append((p, planned_row(p, m)))
        if p.planning_from is not None and p.planning_from <= m < p.planning_until:
            out["major_planning"].append((p, planning_row(p, m)))
        if p.attraction and p.attraction.listed_from <= m <= p.attraction.listed_until:
            out["investment_attraction"].append((p, attraction_row(p, m)))
    return out


def _on_unstated(p: Project, m: int) -> bool:
    return (
        p.on_unstated_list
        and p.actual_start is not None
        and p.actual_start <= m <= p.stats_entry
        and m <= p.completion
    )


def rows_for_week(projects: list[Project], monday: date) -> list[tuple[Project, dict]]:
    """The weekly 已开工未入统 return for the ISO week starting on `monday`."""
    sunday = monday + timedelta(days=6)
    m = month_index(monday)
    as_of = sunday if sunday.month == monday.month else month_end(m)
    return [(p, unstated_row(p, m, as_of)) for p in projects if _on_unstated(p, m)]


def listed_ytd(projects: list[Project], m: int) -> float:
    """Σ YTD of the 在建 list in month m: the floor of the bureau's FAI figure."""
    return sum(p.ytd(m) for p in projects if p.under_construction(m))
