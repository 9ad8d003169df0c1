"""The dbt command lines the pipeline runs, as pure functions (tested without Dagster)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def dbt_build_args(*, full_refresh: bool = False, dbt_vars: Mapping | None = None) -> list[str]:
    """`dbt build`: seeds, models, the snapshot, and every test (contracts, data tests, unit
    tests) in dependency order. Selection is left to dagster-dbt, which adds --select for
    the assets of the run."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), ensure_ascii=False, sort_keys=True)]
    return args


def dbt_environment(warehouse_dir: Path) -> dict[str, str]:
    """The variables profiles.yml reads: the warehouse folder as an absolute path, so
    that dbt writes the same file as ingestion whatever directory it runs in."""
    return {
        "XMK_WAREHOUSE_DIR": str(Path(warehouse_dir).resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
