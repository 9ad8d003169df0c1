"""A small real demo city (two months to 2026-10) generated, ingested and validated once
for the quality tests: the generator says which cells it left empty on purpose."""

from __future__ import annotations

from datetime import date

import pytest

from dagster_project.demo.generate import generate_demo
from dagster_project.ingest.load import ingest
from dagster_project.quality.suites import validate_warehouse

OCTOBER = date(2026, 10, 1)
DEMO = {"months": 2, "end_month": OCTOBER, "intensity": 0.2, "jobs": 1}


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    raw = tmp_path_factory.mktemp("quality_demo") / "raw"
    summary = generate_demo(raw, **DEMO)
    db = raw.parent / "warehouse" / "warehouse.duckdb"
    ingest(raw, db, jobs=1)
    return summary, db


@pytest.fixture(scope="session")
def demo_failures(demo):
    _summary, db = demo
    return validate_warehouse(db)
