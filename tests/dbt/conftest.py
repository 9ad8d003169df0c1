"""Fixtures for the dbt project: one `dbt parse` per session, and the scenario city built
once through the real nightly job (ingestion → dbt build) into a temporary warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_nightly_quietly
from tests.dbt.city import build_city


def nightly_city(root: Path, build: Callable[[Path], Path]) -> Path:
    """A city `build` writes into root/raw, after one nightly run that published its latest
    month (warehouse/ and out/ beside raw/); returns root."""
    build(root / "raw")
    code = run_nightly_quietly(root / "raw", root / "warehouse", root / "out")
    assert code == 0, f"the nightly job failed or held back the latest month of {root.name}"
    return root


@pytest.fixture(scope="session")
def scenario(tmp_path_factory, dbt_manifest) -> Path:
    """The scenario city's warehouse after one nightly run; returns its folder."""
    return nightly_city(tmp_path_factory.mktemp("scenario"), build_city)


class Warehouse:
    def __init__(self, db: Path):
        self.db = db

    def rows(self, sql: str, *params) -> list[dict]:
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            cur = con.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()

    def one(self, sql: str, *params) -> dict:
        found = self.rows(sql, *params)
        assert len(found) == 1, f"expected one row, got {len(found)}: {sql}"
        return found[0]


@pytest.fixture(scope="session")
def wh(scenario) -> Warehouse:
    return Warehouse(scenario / "warehouse" / "warehouse.duckdb")
