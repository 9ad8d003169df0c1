"""Shared fixtures: the demo city's regions, a builder for real workbooks, one `dbt parse`
per session, the nightly job run quietly and the scenario city (tests/dbt/city.py) built
once per session through it, for the dbt tests and the publishers that read its marts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.ingest.reference import load_regions
from dagster_project.parse.submitter import RegionIndex
from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.dbt.city import build_city
from tests.workbooks import write_xlsx

REPO_DAGSTER_YAML = REPO_ROOT / "dagster_home" / "dagster.yaml"


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


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Parse once per session, so that @dbt_assets reads a manifest of the models as they
    are now (ENGINEERING: the manifest is read when the definitions are imported)."""
    from dbt.cli.main import dbtRunner

    args = ["parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)]
    result = dbtRunner().invoke([*args, "--profiles-dir", str(DBT_PROJECT_DIR)])
    assert result.success, result.exception
    return DBT_PROJECT_DIR / "target" / "manifest.json"


def run_nightly_quietly(raw: Path, warehouse: Path, out: Path) -> int:
    """`xmk run` in-process on an ephemeral Dagster instance (nothing written to
    dagster_home/)."""
    from dagster_project.orchestration.run import run_nightly

    return run_nightly(raw, warehouse, out, ephemeral=True)


def nightly_city(root: Path, build) -> Path:
    """A city `build` writes into root/raw, after one nightly run that published its latest
    month (warehouse/ and out/ beside raw/); returns root."""
    build(root / "raw")
    code = run_nightly_quietly(root / "raw", root / "warehouse", root / "out")
    assert code == 0, f"the nightly job failed or held back the latest month of {root.name}"
    return root


@pytest.fixture(scope="session")
def scenario(tmp_path_factory, dbt_manifest) -> Path:
    """The scenario city's warehouse after one nightly run; returns its folder. Tests read
    it, or copy it before they change anything."""
    return nightly_city(tmp_path_factory.mktemp("scenario"), build_city)


def cron_env(root: Path) -> dict[str, str]:
    """The environment of an operator's cron line: PATH=/usr/bin:/bin and the Dagster
    instance it records its runs in — the repository's dagster.yaml in a DAGSTER_HOME of
    the test's own, so that tests leave nothing in the checkout's dagster_home/."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_DAGSTER_YAML, home / "dagster.yaml")
    return {"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(home)}
