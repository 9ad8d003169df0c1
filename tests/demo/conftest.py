"""A small demo city generated once for the module tests: two months across the new year
(December 2025, January 2026) with few projects, so that it runs in about a second."""

from __future__ import annotations

from datetime import date

import pytest

from dagster_project.demo.generate import generate_demo

SMALL = {"months": 2, "end_month": date(2026, 1, 1), "intensity": 0.15, "jobs": 2}


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    return generate_demo(out, **SMALL)
