"""The data-quality rules by id, each with its Chinese name (规则名称, the 问题 a county
clerk reads) and a general 修改建议. One place for all of them — the suites' rules of
`expectations/`, the Python checks of this package, the ones dbt finds
(int_dq_failures_unioned) — the seed `dbt_project/seeds/dq_rules.csv`, which dbt joins
into `fct_dq_failures.rule_name_zh` and the county reports read through this module.

A failure's own hint (the suite's, or one the check writes with the figures of the row)
comes first; the seed's is for a failure that carries none. A suite whose rule is not in
the seed does not load (quality/suites.py), and a test holds every rule the checks can
emit to a row here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from dagster_project.settings import DBT_PROJECT_DIR

RULES_SEED = DBT_PROJECT_DIR / "seeds" / "dq_rules.csv"
# The 问题 of a rule the seed does not name yet: still Chinese, the id is in 规则编号.
UNNAMED = "其他问题"


@dataclass(frozen=True)
class Rule:
    rule: str  # the id, `fct_dq_failures.rule`
    name: str  # 规则名称
    hint: str  # 修改建议 for a failure without one of its own


@cache
def rules() -> dict[str, Rule]:
    with RULES_SEED.open(encoding="utf-8", newline="") as f:
        return {
            row["rule"]: Rule(row["rule"], row["rule_name_zh"], row["hint"])
            for row in csv.DictReader(f)
        }


def rule_name(rule: str) -> str:
    """The Chinese name of a rule, for what the county clerk reads."""
    found = rules().get(rule)
    return found.name if found else UNNAMED


def rule_hint(rule: str) -> str | None:
    found = rules().get(rule)
    return found.hint if found else None
