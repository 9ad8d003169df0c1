"""The validations of `quality/dq_failures` are kept and rendered as Great Expectations'
own Data Docs under the out dir, and the asset's materialization links to them. The asset
is invoked directly on a copy of the small demo city's warehouse (as in test_assets)."""

from __future__ import annotations

import html
import re
import shutil

import dagster as dg
import duckdb
import pytest

from dagster_project.assets.quality import dq_failures
from dagster_project.contract import LISTS
from dagster_project.demo.defects import MISSING_VALUE
from dagster_project.quality.data_docs import RESULTS_DIR, index_path
from dagster_project.resources import XmkSettings


def _forget_validations(db) -> None:
    """As before any check ran: the next run validates every submission again."""
    con = duckdb.connect(str(db))
    try:
        con.execute("drop schema if exists quality cascade")
    finally:
        con.close()


@pytest.fixture(scope="module")
def city(demo, tmp_path_factory):
    summary, db = demo
    root = tmp_path_factory.mktemp("data_docs")
    shutil.copy(db, root / "warehouse.duckdb")
    _forget_validations(root / "warehouse.duckdb")
    settings = XmkSettings(
        raw_dir=str(summary.out_dir), warehouse_dir=str(root), out_dir=str(root / "out")
    )
    return summary, root, settings


def _materialize(settings) -> dict:
    with dg.build_asset_context() as context:
        result = dq_failures(context=context, settings=settings)
    return {k: getattr(v, "value", v) for k, v in result.metadata.items()}


@pytest.fixture(scope="module")
def first_run(city) -> dict:
    _summary, _root, settings = city
    return _materialize(settings)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _column_sections(page: str) -> dict[str, str]:
    """A validation page's text per column section (its header is the column's name)."""
    sections = {}
    for block in re.split(r'<div id="section-\d+" class="ge-section[^>]*>', page)[1:]:
        text = _text(block).strip()
        sections[text.split(" ")[0]] = text
    return sections


def test_a_run_builds_the_index_under_out_listing_every_list_it_validated(city, first_run):
    _summary, root, _settings = city
    index = index_path(root / "out")
    assert index == root / "out" / "data_docs" / "index.html"
    assert first_run["data_docs"] == index.as_uri()
    assert first_run["data_docs_index"] == str(index)
    page = index.read_text(encoding="utf-8")
    for lst in LISTS:
        link = first_run[f"data_docs_{lst.key}"]
        relative = link.removeprefix((root / "out" / "data_docs").as_uri() + "/")
        assert relative.startswith(f"validations/{lst.key}/")
        assert relative in page
        assert (root / "out" / "data_docs" / relative).exists()
        assert f"{lst.title} {lst.key}" in first_run["data_docs_validations"]
    # The results themselves are kept in GX's store on disk, one per list.
    assert len(list((root / "out" / RESULTS_DIR).rglob("*.json"))) == len(LISTS)


def test_a_planted_missing_value_is_a_failed_expectation_on_its_suites_page(
    city, first_run, demo_failures
):
    summary, root, _settings = city
    planted = next(
        d for d in summary.defects if d.kind == MISSING_VALUE and d.field == "responsible_person"
    )
    (failure,) = [
        f
        for f in demo_failures
        if (f.source_file, f.sheet, f.excel_row, f.field)
        == (planted.file, planted.sheet, planted.excel_row, planted.field)
    ]
    page = (root / "out" / "data_docs").joinpath(
        first_run[f"data_docs_{failure.list_key}"].split("/data_docs/", 1)[1]
    )
    section = _column_sections(page.read_text(encoding="utf-8"))["responsible_person"]
    assert "values must never be null" in section
    assert "unexpected values found" in section
    # The unexpected rows are named by sheet and Excel row, Chinese as typed.
    assert planted.sheet in section
    assert re.search(rf"\b{planted.excel_row}\b", section)
    assert "Status: Failed" in _text(page.read_text(encoding="utf-8"))


def test_a_run_that_validates_nothing_leaves_the_docs_alone_and_still_links_them(city, first_run):
    _summary, root, settings = city
    index = index_path(root / "out")
    built = index.stat().st_mtime_ns
    quiet = _materialize(settings)
    assert quiet["submission_lists_validated"] == 0
    assert index.stat().st_mtime_ns == built
    assert quiet["data_docs"] == first_run["data_docs"]
    assert not [k for k in quiet if k.startswith("data_docs_") and k != "data_docs_index"]


def test_earlier_runs_stay_listed_and_browsable(city, first_run):
    _summary, root, settings = city
    _forget_validations(root / "warehouse.duckdb")
    again = _materialize(settings)
    key = LISTS[0].key
    assert again[f"data_docs_{key}"] != first_run[f"data_docs_{key}"]
    page = index_path(root / "out").read_text(encoding="utf-8")
    for run in (first_run, again):
        relative = run[f"data_docs_{key}"].split("/data_docs/", 1)[1]
        assert relative in page
        assert (root / "out" / "data_docs" / relative).exists()


def test_docs_that_cannot_be_written_do_not_change_the_failures(city, first_run):
    _summary, root, settings = city
    blocked = root / "blocked_out"
    blocked.mkdir()
    (blocked / "data_docs").write_text("a file where the site would go")
    _forget_validations(root / "warehouse.duckdb")
    result = _materialize(
        XmkSettings(
            raw_dir=settings.raw_dir, warehouse_dir=settings.warehouse_dir, out_dir=str(blocked)
        )
    )
    assert result["data_docs_error"]
    assert "data_docs" not in result
    for key in ("dagster/row_count", "errors", "warnings", "latest_month_by_region"):
        assert result[key] == first_run[key]
