"""The dbt command lines the pipeline runs, as pure functions (tested without Dagster)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path


def dbt_build_args(
    *,
    full_refresh: bool = False,
    dbt_vars: Mapping | None = None,
    unit_tests: bool = True,
) -> list[str]:
    """`dbt build`: seeds, models, and every test (contracts, data tests, unit
    tests) in dependency order. Selection is left to dagster-dbt, which adds --select for
    the assets of the run. Unit tests test the SQL on rows of their own, not the data:
    `unit_tests=False` leaves them out when the same code has passed them already."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), ensure_ascii=False, sort_keys=True)]
    return args


def dbt_environment(warehouse_dir: Path) -> dict[str, str]:
    """The variables profiles.yml reads: the warehouse folder as an absolute path, so
    that dbt writes the same file as ingestion whatever directory it runs in. dbt's
    output lands in log files and the UI's step logs, never a terminal: no colour codes."""
    return {
        "XMK_WAREHOUSE_DIR": str(Path(warehouse_dir).resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }


def dbt_executable(interpreter: str | Path = sys.executable) -> str:
    """The dbt installed beside this interpreter: `xmk-dbt`, dbt's command line in a
    process that dies with the run that starts it (dbt/child.py), else `dbt`. cron,
    systemd and scripts call `.venv/bin/xmk` by its path with a PATH that does not hold
    `.venv/bin`, where looking `dbt` up on PATH (dagster-dbt's default) finds nothing or
    another installation. The interpreter is not resolved: a virtualenv's `python` is a
    link to the base Python, whose folder has no dbt."""
    folder = Path(interpreter).parent
    for name in ("xmk-dbt", "dbt"):
        if (folder / name).is_file():
            return str(folder / name)
    return "dbt"
