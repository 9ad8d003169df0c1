"""The simulated 问题台账 (三(四)) of one submitter: issues raised on its projects, handed to
a municipal department, and kept on the ledger month after month until resolved."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dagster_project.contract import ISSUE_TYPES
from dagster_project.demo.periods import month_end, month_start
from dagster_project.demo.projects import Project, poisson

ISSUES_PER_MONTH = 3.0
EPOCH = 2024 * 12  # issues are raised from January 2024 (or earlier when asked for)

# Which department answers which kind of problem ("谁主管、谁负责").
DEPARTMENTS = {
    "用地": ("市自然资源局",),
    "规划": ("市自然资源局", "市住建局"),
    "环评": ("市生态环境局",),
    "资金": ("市财政局", "市发改委"),
    "审批": ("市发改委", "市住建局"),
    "征拆": ("市住建局", "市自然资源局"),
    "施工条件": ("国网吉林供电公司", "市交通运输局", "市水利局"),
    "其他": ("市商务局", "市工信局", "市农业农村局", "市统计局"),
}
_DESCRIPTIONS = {
    "用地": ("项目用地指标尚未落实，需调整土地利用规划", "土地组卷报批进度缓慢"),
    "规划": ("规划设计条件需调整，方案待重新审查", "控制性详细规划未覆盖项目地块"),
    "环评": ("环评报告书待审批", "项目涉及生态保护红线，环评受阻"),
    "资金": ("项目资本金到位不足，融资尚未落实", "专项债券资金拨付滞后"),
    "审批": ("施工许可办理进度缓慢", "可研批复需补充材料"),
    "征拆": ("项目红线内尚有{n}户居民未完成征收", "地上附着物补偿标准存在分歧"),
    "施工条件": ("施工用电尚未接入", "施工便道未打通", "施工用水管线未接入"),
    "其他": ("项目入统资料不全", "企业生产许可手续待办", "配套设施建设滞后"),
}


@dataclass(frozen=True)
class Issue:
    project: Project
    issue_type: str
    description: str
    department: str
    raised_on: date
    deadline: date | None
    resolved_on: date  # may lie after the last generated month: still open then
    status_open: str  # 未办结 or 办理中 while open

    def listed(self, m: int) -> bool:
        """On the ledger from the month raised until the month resolved."""
        if self.raised_on > month_end(m):
            return False
        return self.resolved_on >= month_start(m)

    def row(self, m: int) -> dict:
        resolved = self.resolved_on <= month_end(m)
        return {
            "project_code": self.project.code if m >= self.project.code_month else None,
            "project_name": self.project.name,
            "issue_type": self.issue_type,
            "issue_description": self.description,
            "issue_raised_on": self.raised_on,
            "issue_department": self.department,
            "issue_deadline": self.deadline,
            "issue_status": "已办结" if resolved else self.status_open,
            "issue_resolved_on": self.resolved_on if resolved else None,
            "responsible_unit": self.project.responsible_unit,
            "responsible_person": self.project.responsible_person,
            "remarks": None,
        }


def simulate_issues(
    projects: list[Project], first: int, last: int, seed: int, code: str, intensity: float = 1.0
) -> list[Issue]:
    rng = random.Random(f"{seed}:{code}:issues")
    issues = []
    for m in range(min(EPOCH, first - 12), last + 1):
        live = [
            p
            for p in projects
            if p.under_construction(m)
            or (
                p.planned_list_from is not None and p.planned_list_from <= m <= p.planned_list_until
            )
        ]
        if not live:
            continue
        for _ in range(poisson(rng, ISSUES_PER_MONTH * intensity)):
            issues.append(_new_issue(rng, rng.choice(live), m))
    return [i for i in issues if i.resolved_on >= month_start(first)]


def _new_issue(rng: random.Random, project: Project, m: int) -> Issue:
    kind = rng.choice(ISSUE_TYPES)
    raised = month_start(m) + timedelta(days=rng.randint(0, 27))
    deadline = None
    if rng.random() < 0.7:
        deadline = raised + timedelta(days=rng.choice((30, 45, 60, 60, 90)))
    limit = (deadline - raised).days if deadline else 60
    draw = rng.random()
    if draw < 0.75:  # most are settled in time
        resolved = raised + timedelta(days=rng.randint(5, limit))
    elif draw < 0.92:  # some late
        resolved = raised + timedelta(days=limit + rng.randint(10, 120))
    else:  # the hard cases stay open for most of a year or more
        resolved = raised + timedelta(days=rng.randint(240, 480))
    return Issue(
        project=project,
        issue_type=kind,
        description=rng.choice(_DESCRIPTIONS[kind]).format(n=rng.randint(2, 40)),
        department=rng.choice(DEPARTMENTS[kind]),
        raised_on=raised,
        deadline=deadline,
        resolved_on=resolved,
        status_open=rng.choice(("办理中", "办理中", "未办结")),
    )


def rows_for_month(issues: list[Issue], m: int) -> list[tuple[Issue, dict]]:
    return [(i, i.row(m)) for i in issues if i.listed(m)]
