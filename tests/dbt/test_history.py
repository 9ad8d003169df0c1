"""A re-submission after a nightly run: the next run supersedes the earlier figures, and the
project library's history (dim_project_history) follows the report months — the same
whether the warehouse was built run by run or rebuilt from raw/ alone."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from tests.conftest import run_nightly_quietly
from tests.dbt.city import CODE, Z1, P, _county, _uc
from tests.dbt.conftest import Warehouse

SQL_REGIONS = "select * from marts.fct_region_monthly where region_code <> ? order by all"


@pytest.fixture(scope="module")
def corrected(scenario, tmp_path_factory) -> Warehouse:
    root = tmp_path_factory.mktemp("corrected")
    shutil.copytree(scenario / "raw", root / "raw")
    shutil.copytree(scenario / "warehouse", root / "warehouse")
    # 高新区 re-sends October: Z1a's 总投资 revised from 15000 to 16000万.
    z1a = _uc("Z1a", 31, 16000, 5000, 4000, "续建", date(2025, 1, 1), date(2025, 1, 1), True)
    _county(root / "raw", Z1, P, {"under_construction": [z1a]}, "_更正", "2026-11-20 09:00")
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 0
    return Warehouse(root / "warehouse" / "warehouse.duckdb")


def test_resubmission_after_a_run_supersedes_the_earlier_figures(corrected):
    row = corrected.one(
        "select total_investment_wan from marts.fct_project_monthly "
        "where project_key = ? and period_month = ?",
        CODE["Z1a"],
        P,
    )
    assert row["total_investment_wan"] == 16000


HISTORY = """
    select version_number, valid_from, valid_to, is_current, changed_attributes,
           construction_type, total_investment_wan, lifecycle_stage
    from marts.dim_project_history where project_key = ? order by version_number
"""


def test_history_follows_the_report_months_and_a_correction_replaces_its_month(corrected):
    versions = corrected.rows(HISTORY, CODE["Z1a"])
    assert [(v["version_number"], v["valid_from"], v["valid_to"]) for v in versions] == [
        (1, date(2025, 10, 1), date(2025, 11, 1)),
        (2, date(2025, 11, 1), date(2026, 10, 1)),
        (3, date(2026, 10, 1), None),
    ]
    first, gone, current = versions
    assert (first["construction_type"], first["total_investment_wan"]) == ("新建", 15000)
    assert first["lifecycle_stage"] == "入库纳统"
    # 高新区 sent nothing after October 2025: the project is not taken as completed.
    assert (gone["changed_attributes"], gone["lifecycle_stage"]) == ("lifecycle_stage", "待核实")
    # October 2026 as corrected: the superseded 15000 is not a version of its own.
    assert (current["total_investment_wan"], current["is_current"]) == (16000, True)
    assert current["changed_attributes"] == (
        "construction_type, lifecycle_stage, total_investment_wan"
    )


def test_a_rebuild_from_raw_alone_gives_the_same_history(corrected, tmp_path):
    root = corrected.db.parent.parent
    rebuilt = tmp_path / "warehouse"
    assert run_nightly_quietly(root / "raw", rebuilt, tmp_path / "out") == 0
    every_version = "select * from marts.dim_project_history order by version_key"
    assert Warehouse(rebuilt / "warehouse.duckdb").rows(every_version) == corrected.rows(
        every_version
    )


def test_what_the_resubmission_does_not_touch_is_unchanged_to_the_last_bit(corrected, wh):
    # The re-run rebuilt every mart; the other regions' indicators come out identical
    # (sums of amounts do not depend on the order the rows are added in).
    assert corrected.rows(SQL_REGIONS, Z1) == wh.rows(SQL_REGIONS, Z1)
