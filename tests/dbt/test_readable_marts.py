"""The marts read by people outside dbt: Chinese names beside the English codes, every
published model public, and the outputs that read them declared as exposures."""

from __future__ import annotations

import csv
import json

import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from tests.dbt.city import CODE
from tests.dbt.test_scenario import P

# The plan's names (二(十一) 擂台, 三(三) 绩效考核), as the bulletin prints them.
ARENA_NAMES = {
    "fai_growth": "固定资产投资增速",
    "big_project_count": "5000万元以上在建项目个数",
    "new_start_count": "新开工项目个数",
    "start_resume_rate": "开复工率",
    "central_budget_start_rate": "中央预算内投资项目开工率",
    "special_bond_start_rate": "专项债券项目开工率",
}


def _seed(name: str) -> list[dict]:
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def manifest(dbt_manifest) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ Chinese names


def test_every_arena_row_carries_its_indicators_chinese_name(wh):
    rows = wh.rows(
        "select indicator, indicator_name_zh, count(*) as n from marts.rpt_arena_monthly "
        "where period_month = ? group by all",
        P,
    )
    assert {r["indicator"]: r["indicator_name_zh"] for r in rows} == ARENA_NAMES
    assert len({r["n"] for r in rows}) == 1  # the join kept every region of every indicator


def test_a_warning_carries_its_rules_chinese_name(wh):
    found = wh.one(
        "select rule_name_zh, level from marts.fct_early_warnings "
        "where period_month = ? and project_key = ? and rule = 'stats_entry_lag'",
        P,
        CODE["A2"],
    )
    assert found == {"rule_name_zh": "开工未入统超期", "level": "红"}
    unnamed = wh.rows("select rule from marts.fct_early_warnings where rule_name_zh is null")
    assert unnamed == []


def test_the_bulletin_names_indicators_and_rules_as_the_seeds_do():
    from dagster_project.publish.bulletin import (
        ARENA_INDICATORS,
        ASSESSMENT_INDICATORS,
        WARNING_RULES,
    )

    indicators = _seed("indicators")
    arena = {r["indicator"]: r["indicator_name_zh"] for r in indicators if r["in_arena"] == "true"}
    assert list(arena.items()) == [(k, label) for k, (label, _) in ARENA_INDICATORS.items()]
    assert arena == ARENA_NAMES
    assert {r["indicator"]: r["value_kind"] for r in indicators if r["in_arena"] == "true"} == {
        k: kind for k, (_, kind) in ARENA_INDICATORS.items()
    }
    assessment = [
        (r["indicator"], r["indicator_name_zh"]) for r in indicators if r["in_assessment"] == "true"
    ]
    assert assessment == list(ASSESSMENT_INDICATORS.items())
    assert [(r["rule"], r["rule_name_zh"]) for r in _seed("warning_rules")] == list(
        WARNING_RULES.items()
    )


# ------------------------------------------------------------------ access and exposures


def _models(manifest, *folders):
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] in folders
    ]


def test_every_published_model_is_public_and_nothing_else_is(manifest):
    published = _models(manifest, "marts", "reports")
    assert len(published) >= 14  # the SPEC's marts
    assert {n["name"]: n["access"] for n in published} == {n["name"]: "public" for n in published}
    internal = _models(manifest, "staging", "intermediate")
    assert {n["access"] for n in internal} == {"protected"}


EXPOSED = {
    "arena_bulletin": "out/bulletin/<YYYY-MM>/",
    "analysts_published_snapshot": "warehouse/published.duckdb",
    "county_quality_reports": "out/reports/<YYYY-MM>/",
    "weekly_unstated_dispatch_lists": "out/weekly/<YYYY-Www>/",
}


def test_each_published_output_is_an_exposure_owned_by_the_project_centre(manifest):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == set(EXPOSED)
    for name, where in EXPOSED.items():
        exposure = exposures[name]
        assert exposure["owner"] == {
            "name": "市发改委项目中心 (municipal DRC project centre)",
            "email": "xmzx@jlsfgw.example.gov.cn",
        }
        assert exposure["meta"]["output"] == where
        assert where.split("<")[0] in exposure["description"], name


def test_exposures_depend_on_the_marts_their_outputs_read(manifest):
    def reads(name):
        exposure = next(e for e in manifest["exposures"].values() if e["name"] == name)
        return {manifest["nodes"][n]["name"] for n in exposure["depends_on"]["nodes"]}

    from dagster_project.assets.weekly import UNSTATED_WEEKLY_KEY

    # The bulletin reads one rpt_ table per section (and the regions and projects); the
    # Python that renders it names the same relations.
    assert reads("arena_bulletin") == {
        "dim_region", "fct_project_monthly", "rpt_arena_monthly", "rpt_assessment_monthly",
        "rpt_bulletin_progress_monthly", "rpt_bulletin_red_warnings_monthly",
        "rpt_bulletin_escalated_issues_monthly", "rpt_submission_status_monthly",
        "rpt_city_trend_monthly", "rpt_region_comparison_monthly", "rpt_showcase_projects",
    }  # fmt: skip
    assert reads("weekly_unstated_dispatch_lists") == {UNSTATED_WEEKLY_KEY.path[-1]}
    assert "fct_dq_failures" in reads("county_quality_reports")
    # The snapshot holds every mart (publish/snapshot.py: the whole marts schema).
    assert reads("analysts_published_snapshot") == {
        n["name"] for n in _models(manifest, "marts", "reports")
    }


def test_exposures_are_not_dagster_assets(dbt_manifest):
    from dagster_project.assets.marts import dbt_warehouse

    names = {key.path[-1] for key in dbt_warehouse.keys}
    assert not names & set(EXPOSED)
    assert {"indicators", "warning_rules"} <= names  # the seeds are reference assets
