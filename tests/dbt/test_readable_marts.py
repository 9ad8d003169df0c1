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


def test_the_bulletin_orders_and_reads_indicators_as_the_seeds_do():
    """The bulletin takes indicator and rule names from the marts; what it keeps itself is
    the order of the plan and which values are counts, and those follow the seed."""
    from dagster_project.publish.bulletin.tables import (
        ARENA_INDICATORS,
        ASSESSMENT_INDICATORS,
        COUNT_INDICATORS,
    )

    indicators = _seed("indicators")
    arena = {r["indicator"]: r["indicator_name_zh"] for r in indicators if r["in_arena"] == "true"}
    assert list(arena) == list(ARENA_INDICATORS)
    assert arena == ARENA_NAMES
    counts = {r["indicator"] for r in indicators if r["value_kind"] == "count"}
    assert counts & set(arena) == COUNT_INDICATORS
    assessment = [
        (r["indicator"], r["indicator_name_zh"]) for r in indicators if r["in_assessment"] == "true"
    ]
    assert assessment == list(ASSESSMENT_INDICATORS.items())


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


def test_each_output_reads_what_its_exposure_and_its_asset_say(manifest):
    """One list per output: the module's READS, its dbt exposure's depends_on and its
    Dagster asset's deps (besides the gate) name the same marts."""
    from dagster_project.assets.publishing import GATE_KEY, publishing_assets
    from dagster_project.assets.weekly import unstated_dispatch_lists
    from dagster_project.publish import weekly_list
    from dagster_project.publish.bulletin import content as bulletin
    from dagster_project.publish.county_report import run as county_report

    def exposed(name):
        exposure = next(e for e in manifest["exposures"].values() if e["name"] == name)
        return {manifest["nodes"][n]["name"] for n in exposure["depends_on"]["nodes"]}

    assets = {a.key.to_user_string(): a for a in [*publishing_assets, unstated_dispatch_lists]}

    def deps(key):
        (spec,) = assets[key].specs
        return {d.asset_key.path[-1] for d in spec.deps if d.asset_key != GATE_KEY}

    marts = {n["name"] for n in _models(manifest, "marts", "reports")}
    for exposure, reads, key in (
        ("arena_bulletin", bulletin.READS, "publish/bulletin"),
        ("county_quality_reports", county_report.READS, "publish/county_reports"),
        ("weekly_unstated_dispatch_lists", weekly_list.READS, "weekly/unstated_dispatch_lists"),
    ):
        assert set(reads) <= marts, exposure
        assert exposed(exposure) == set(reads) == deps(key), exposure
    # The snapshot holds the whole marts schema (publish/snapshot.py).
    assert exposed("analysts_published_snapshot") == marts
    assert marts <= deps("publish/snapshot")


def test_exposures_are_not_dagster_assets(dbt_manifest):
    from dagster_project.assets.marts import dbt_warehouse

    names = {key.path[-1] for key in dbt_warehouse.keys}
    assert not names & set(EXPOSED)
    assert {"indicators", "warning_rules"} <= names  # the seeds are reference assets
