"""What the dbt manifest must say: lineage keyed to the raw assets, marts that never read
staging, contracts and grain on every published model."""

from __future__ import annotations

import json

import pytest

from dagster_project.assets.ingestion import RAW_TABLES


@pytest.fixture(scope="module")
def manifest(dbt_manifest) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def _models(manifest, folder):
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] == folder
    ]


def test_every_source_maps_to_an_asset_upstream(manifest):
    from dagster_project.assets.quality import DQ_FAILURES_KEY
    from dagster_project.assets.raw_views import raw_views

    known = {("raw", t) for t in RAW_TABLES} | {tuple(s.key.path) for s in raw_views}
    known.add(tuple(DQ_FAILURES_KEY.path))
    for source in manifest["sources"].values():
        key = tuple(source["meta"]["dagster"]["asset_key"])
        assert key in known, f"{source['name']} points at {key}, which no asset produces"


def test_only_staging_reads_sources(manifest):
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["fqn"][1] == "staging":
            continue
        sources = [d for d in node["depends_on"]["nodes"] if d.startswith("source.")]
        assert not sources, f"{node['name']} reads {sources}"


@pytest.mark.parametrize("folder", ["marts", "reports"])
def test_marts_never_read_staging(manifest, folder):
    for node in _models(manifest, folder):
        staging = [d for d in node["depends_on"]["nodes"] if ".stg_" in d]
        assert not staging, f"{node['name']} reads {staging}"


@pytest.mark.parametrize("folder", ["marts", "reports"])
def test_published_models_have_a_contract_a_grain_and_chinese(manifest, folder):
    for node in _models(manifest, folder):
        assert node["config"]["contract"]["enforced"], node["name"]
        assert "Grain:" in node["description"], node["name"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in node["description"]), node["name"]
        for column in node["columns"].values():
            assert column["description"], f"{node['name']}.{column['name']}"


def test_spec_marts_all_exist(manifest):
    names = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    spec = {
        "dim_region", "dim_project", "dim_project_history", "fct_project_monthly",
        "fct_preparation_monthly", "fct_unstated_weekly", "fct_region_monthly",
        "fct_region_warnings", "fct_early_warnings", "fct_issue_ledger", "fct_special_bonds",
        "fct_lifecycle_funnel", "rpt_arena_monthly", "rpt_assessment_monthly",
        "rpt_showcase_projects", "rpt_bulletin_progress_monthly",
        "rpt_bulletin_red_warnings_monthly", "rpt_bulletin_region_warnings_monthly",
        "rpt_bulletin_escalated_issues_monthly", "rpt_submission_status_monthly",
        "rpt_city_trend_monthly", "rpt_region_comparison_monthly",
    }  # fmt: skip
    assert spec <= names


def test_dagster_keys_follow_schemas_and_groups_follow_folders(dbt_manifest):
    import dagster as dg

    from dagster_project.assets.marts import dbt_warehouse

    keys = set(dbt_warehouse.keys)
    assert dg.AssetKey(["staging", "stg_raw__under_construction_projects"]) in keys
    assert dg.AssetKey(["marts", "rpt_arena_monthly"]) in keys
    groups = {key.path[-1]: group for key, group in dbt_warehouse.group_names_by_key.items()}
    assert groups["stg_raw__regions"] == "staging"
    assert groups["int_projects_monthly"] == "intermediate"
    assert groups["fct_region_monthly"] == "marts"
    assert groups["rpt_arena_monthly"] == "reports"
    deps = {dep for key in keys for dep in dbt_warehouse.asset_deps[key]}
    assert dg.AssetKey(["raw", "under_construction"]) in deps
    assert dg.AssetKey(["raw", "effective_submission_lists"]) in deps


def test_the_lists_seed_is_the_contracts_seven_lists():
    import csv

    from dagster_project.contract import LISTS
    from dagster_project.settings import DBT_PROJECT_DIR

    with (DBT_PROJECT_DIR / "seeds" / "project_lists.csv").open(encoding="utf-8") as f:
        seeded = [tuple(row.values()) for row in csv.DictReader(f)]
    assert seeded == [(lst.key, lst.title, lst.clause, lst.cadence) for lst in LISTS]
