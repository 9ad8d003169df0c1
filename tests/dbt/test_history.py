"""A re-submission after a nightly run: the next run supersedes the earlier figures and the
project library's history (dim_project_history, a dbt snapshot) records what changed."""

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


def test_history_keeps_the_old_version_and_names_what_changed(corrected):
    versions = corrected.rows(
        """select version_number, total_investment_wan, is_current, valid_to is null as open,
                  changed_attributes, observed_period_month
           from marts.dim_project_history where project_key = ? order by version_number""",
        CODE["Z1a"],
    )
    assert versions == [
        {
            "version_number": 1,
            "total_investment_wan": 15000,
            "is_current": False,
            "open": False,
            "changed_attributes": "",
            "observed_period_month": P,
        },
        {
            "version_number": 2,
            "total_investment_wan": 16000,
            "is_current": True,
            "open": True,
            "changed_attributes": "total_investment_wan",
            "observed_period_month": P,
        },
    ]


def test_history_of_an_unchanged_project_has_one_version(corrected):
    versions = corrected.rows(
        "select version_number from marts.dim_project_history where project_key = ?",
        CODE["A1"],
    )
    assert versions == [{"version_number": 1}]


def test_what_the_resubmission_does_not_touch_is_unchanged_to_the_last_bit(corrected, wh):
    # The re-run rebuilt every mart; the other regions' indicators come out identical
    # (sums of amounts do not depend on the order the rows are added in).
    assert corrected.rows(SQL_REGIONS, Z1) == wh.rows(SQL_REGIONS, Z1)
