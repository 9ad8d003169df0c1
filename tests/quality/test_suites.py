"""The suites in expectations/ load, carry what a failure needs, and agree with the
contract and the parsers they restate."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from dagster_project.contract import LISTS, REQUIRED
from dagster_project.parse.codes import is_valid_project_code
from dagster_project.parse.flags import is_valid_phone, split_phones
from dagster_project.quality.suites import load_suites, suites_in_force
from dagster_project.settings import EXPECTATIONS_DIR


@pytest.fixture(scope="module")
def suites():
    return load_suites()


def _expectations(suite, type_: str | None = None):
    configs = [e.configuration for e in suite.expectations]
    return [c for c in configs if type_ is None or c.type == type_]


def test_there_is_one_suite_per_list_loaded_from_its_json_file(suites):
    assert sorted(suites) == sorted(lst.key for lst in LISTS)
    for key, suite in suites.items():
        on_disk = json.loads((EXPECTATIONS_DIR / f"{key}.json").read_text(encoding="utf-8"))
        assert suite.name == key
        assert len(suite.expectations) == len(on_disk["expectations"])


def test_every_expectation_has_a_rule_a_severity_and_a_chinese_hint(suites):
    for suite in suites.values():
        for e in suite.expectations:
            meta = e.configuration.meta
            assert re.fullmatch(r"[a-z][a-z0-9_]*", meta["rule"])
            assert meta["severity"] in ("error", "warn")
            assert re.search(r"[\u4e00-\u9fff]", meta["hint"])
            # GX's own severity says the same, so its results tell the same story.
            assert e.severity.value == {"error": "critical", "warn": "warning"}[meta["severity"]]


def test_required_fields_are_exactly_the_contracts(suites):
    for key, suite in suites.items():
        in_suite = {
            c.kwargs["column"]: c.meta["severity"]
            for c in _expectations(suite, "expect_column_values_to_not_be_null")
        }
        assert in_suite == REQUIRED[key], key
        for c in _expectations(suite, "expect_column_values_to_not_be_null"):
            assert c.meta["rule"] == f"required_{c.kwargs['column']}"


def _regex(suites, column: str) -> re.Pattern:
    (config,) = [
        c
        for c in _expectations(suites["under_construction"], "expect_column_values_to_match_regex")
        if c.kwargs["column"] == column
    ]
    return re.compile(config.kwargs["regex"])


@pytest.mark.parametrize(
    "code",
    [
        "2024-220281-48-01-123456",
        "2312-220281-48-01-123456",  # YYMM, the older format
        "2313-220281-48-01-123456",  # no 13th month
        "2024-22028-48-01-123456",
        "2024-220281-48-01-1234567",
        "1999-220281-48-01-123456",
        "2024220281480112345",
    ],
)
def test_the_code_format_is_the_parsers(suites, code):
    assert bool(_regex(suites, "project_code").match(code)) == is_valid_project_code(code)


@pytest.mark.parametrize(
    "phone",
    [
        "13912345678",
        "0432-6221234",
        "0432 6221234",
        "(0432)62212345",
        "0432-6221234转8001",
        "+86 13912345678",
        "13912345678、13800001111",
        "13912345678，0432-6221234；13800001111",
        "13912345678 / 13800001111",
        "1391234567813800001111",  # two mobiles typed without a separator
        "6221234",
        "1391234567",
        "12912345678",
        "电话13912345678",
        "13912345678、62212345",
    ],
)
def test_the_phone_format_is_the_parsers_for_one_or_several_numbers(suites, phone):
    phones = split_phones(phone)
    by_parser = bool(phones) and all(is_valid_phone(p) for p in phones)
    assert bool(_regex(suites, "contact_phone").match(phone)) == by_parser


def test_a_suite_without_a_hint_does_not_load(tmp_path):
    shutil.copytree(EXPECTATIONS_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "issue_ledger.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    del suite["expectations"][0]["meta"]["hint"]
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="hint"):
        load_suites(tmp_path)


def test_the_suites_in_force_are_loaded_once_per_process_until_a_file_changes(tmp_path):
    shutil.copytree(EXPECTATIONS_DIR, tmp_path, dirs_exist_ok=True)
    first = suites_in_force("direct", tmp_path)
    assert suites_in_force("direct", tmp_path) is first  # the portal's every upload
    path = tmp_path / "issue_ledger.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"][0]["meta"]["hint"] += "（已修改）"
    path.write_text(json.dumps(suite, ensure_ascii=False), encoding="utf-8")
    edited = suites_in_force("direct", tmp_path)
    assert edited is not first
    hints = [e.meta["hint"] for e in edited["issue_ledger"].expectations]
    assert hints[0].endswith("（已修改）")
