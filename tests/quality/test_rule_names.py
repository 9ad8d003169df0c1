"""Every rule a data-quality failure can name has a Chinese name and a 修改建议 in the one
list of rules (dbt_project/seeds/dq_rules.csv, read through quality/rules.py): the rules
of the suites, of the Python checks and of the SQL that dbt runs. The ids are read from
the suites and the code themselves, so a rule added anywhere without a name fails here."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import shutil

import pytest

import dagster_project.quality
from dagster_project.quality import failures
from dagster_project.quality.rules import UNNAMED, rule_hint, rule_name, rules
from dagster_project.quality.suites import load_suites
from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REPO_ROOT

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
INTERMEDIATE = DBT_PROJECT_DIR / "models" / "intermediate"


def suite_rules() -> set[str]:
    found = set()
    for path in EXPECTATIONS_DIR.glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        found |= {e["meta"]["rule"] for e in suite["expectations"]}
    return found


def python_rules() -> set[str]:
    """The RULES of every check module of dagster_project.quality, the two failures
    ingestion finds, and every `"rule": "…"` a parser writes into a sheet's problems."""
    found = {failures.UNREADABLE_CELL, failures.REJECTED_FILE}
    for module in pkgutil.iter_modules(dagster_project.quality.__path__):
        found |= set(getattr(importlib.import_module(f"dagster_project.quality.{module.name}"),
                             "RULES", ()))  # fmt: skip
    package = REPO_ROOT / "dagster_project"
    for path in package.rglob("*.py"):
        found |= set(re.findall(r'"rule": "(\w+)"', path.read_text(encoding="utf-8")))
    return found


def sql_rules() -> set[str]:
    """The rules int_dq_failures_unioned writes as literals, and the identity conflicts
    (int_project_identity_conflicts) it passes on as rules."""
    unioned = (INTERMEDIATE / "int_dq_failures_unioned.sql").read_text(encoding="utf-8")
    assert "conflicts.conflict_type as rule" in unioned
    conflicts = (INTERMEDIATE / "int_project_identity_conflicts.sql").read_text(encoding="utf-8")
    return set(re.findall(r"'(\w+)' as rule\b", unioned)) | set(
        re.findall(r"'(\w+)' as conflict_type\b", conflicts)
    )


def test_the_rule_ids_are_found_in_the_code():
    # The enumerations find what is known to be there (a broken regex finds nothing).
    assert {"required_project_owner", "list_threshold"} <= suite_rules()
    assert {"ytd_decreased", "coverage_ratio_mismatch", "duplicate_column",
            "statistics_region_missing", "rejected_file"} <= python_rules()  # fmt: skip
    assert {"missing_submission", "superseded_submission", "value_from_other_list",
            "one_code_several_names", "duplicate_in_list"} <= sql_rules()  # fmt: skip


@pytest.mark.parametrize("source", [suite_rules, python_rules, sql_rules])
def test_every_rule_has_a_chinese_name_and_a_hint(source):
    unnamed = sorted(r for r in source() if rule_name(r) == UNNAMED or not rule_hint(r))
    assert unnamed == []


def test_every_suite_rule_carries_its_own_hint_too():
    for path in EXPECTATIONS_DIR.glob("*.json"):
        for e in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            assert e["meta"]["hint"].strip(), (path.name, e["meta"]["rule"])


def test_names_are_chinese_distinct_and_every_named_rule_exists():
    named = rules()
    names = [r.name for r in named.values()]
    assert len(set(names)) == len(names)
    for rule in named.values():
        assert _CJK.search(rule.name) and not _LATIN.search(rule.name), rule
        assert _CJK.search(rule.hint), rule
    # No row for a rule nothing emits: the list stays the list of real rules.
    assert set(named) == suite_rules() | python_rules() | sql_rules()


def test_a_suite_rule_without_a_chinese_name_does_not_load(tmp_path):
    for path in EXPECTATIONS_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    suite = tmp_path / "major_planning.json"
    suite.write_text(
        suite.read_text(encoding="utf-8").replace('"list_threshold"', '"list_threshold_v2"'),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="list_threshold_v2 has no Chinese name"):
        load_suites(tmp_path)
