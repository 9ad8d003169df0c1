"""The Dagster side: the asset writes quality.dq_failures, and each list has its check
(what the checks say, after dbt, is in tests/publish/test_gate.py). The functions are
invoked directly (a whole in-process run adds ~15 s and tests Dagster, not us)."""

from __future__ import annotations

from collections import Counter

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.ingestion import ingest_raw_files
from dagster_project.assets.quality import CHECK_NAME, DQ_FAILURES_KEY, dq_failures, list_checks
from dagster_project.assets.raw_views import raw_views
from dagster_project.contract import LISTS
from dagster_project.demo.defects import MISSING_VALUE
from dagster_project.resources import XmkSettings


@pytest.fixture(scope="module")
def settings(demo, tmp_path_factory):
    summary, db = demo
    out = tmp_path_factory.mktemp("out")
    return XmkSettings(raw_dir=str(summary.out_dir), warehouse_dir=str(db.parent), out_dir=str(out))


@pytest.fixture(scope="module")
def planted(demo) -> Counter:
    """Error defects left in force, by region."""
    summary, _db = demo
    return Counter(
        d.file.split("/")[1][:6]
        for d in summary.defects
        if d.kind == MISSING_VALUE and not d.corrected_by
    )


def test_the_checks_and_the_asset_load_into_one_code_location(settings):
    defs = dg.Definitions(
        assets=[ingest_raw_files, *raw_views, dq_failures],
        asset_checks=list_checks,
        resources={"settings": settings},
    )
    graph = defs.resolve_asset_graph()
    assert DQ_FAILURES_KEY in graph.get_all_asset_keys()
    assert {k.name for k in graph.asset_check_keys} == {CHECK_NAME}
    assert len(graph.asset_check_keys) == len(LISTS) == 7


def test_the_asset_writes_the_table_and_says_which_regions_have_errors(demo, settings, planted):
    _summary, db = demo
    with dg.build_asset_context() as context:
        result = dq_failures(context=context, settings=settings)
    metadata = {k: getattr(v, "value", v) for k, v in result.metadata.items()}
    assert metadata["latest_month"] == "2026-10-01"
    assert metadata["latest_month_errors"] == sum(planted.values())
    assert "| 永吉县 220221 | 5 |" in metadata["latest_month_by_region"]

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows, errors = con.execute(
            "select count(*), count(*) filter (severity = 'error') from quality.dq_failures"
        ).fetchone()
    finally:
        con.close()
    assert (rows, errors) == (metadata["dagster/row_count"], sum(planted.values()))
