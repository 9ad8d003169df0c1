"""Shared fixtures: the demo city's regions and a builder for real workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.ingest.reference import load_regions
from dagster_project.parse.submitter import RegionIndex
from tests.workbooks import write_xlsx


@pytest.fixture(scope="session")
def regions() -> list[dict]:
    rows, _version = load_regions(Path("/nonexistent"))  # falls back to the demo seeds
    return rows


@pytest.fixture(scope="session")
def region_index(regions) -> RegionIndex:
    return RegionIndex(regions)


@pytest.fixture
def xlsx(tmp_path):
    """Write a workbook: xlsx("name.xlsx", {"sheet": rows}, merges={...}) -> Path."""

    def build(name: str, sheets: dict, **kwargs) -> Path:
        return write_xlsx(tmp_path / name, sheets, **kwargs)

    return build
