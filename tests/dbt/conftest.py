"""Fixtures for the dbt project: the scenario city's warehouse (tests/conftest.py builds it
once per session) read back as rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_nightly_quietly


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

    def bulletin_content(self, month):
        """What the 通报 of `month` would say, read from this warehouse's marts."""
        from dagster_project.publish.bulletin.content import read_content

        con = duckdb.connect(str(self.db), read_only=True)
        try:
            return read_content(con, month)
        finally:
            con.close()

    def one(self, sql: str, *params) -> dict:
        found = self.rows(sql, *params)
        assert len(found) == 1, f"expected one row, got {len(found)}: {sql}"
        return found[0]


def one_county_warehouse(tmp_path_factory, name: str, build) -> Warehouse:
    """A city where one county writes its workbooks (`build(raw)`), after one nightly run.
    Exit 3: the other submitters sent nothing, so the months are held back; the marts
    build all the same."""
    root = tmp_path_factory.mktemp(name)
    build(root / "raw")
    assert run_nightly_quietly(root / "raw", root / "warehouse", root / "out") == 3
    return Warehouse(root / "warehouse" / "warehouse.duckdb")


@pytest.fixture(scope="session")
def wh(scenario) -> Warehouse:
    return Warehouse(scenario / "warehouse" / "warehouse.duckdb")
