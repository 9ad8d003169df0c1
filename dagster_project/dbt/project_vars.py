"""The vars of dbt_project.yml, for the few Python checks that must use the same
thresholds as the marts (one value, one place)."""

from __future__ import annotations

from functools import cache

import yaml

from dagster_project.settings import DBT_PROJECT_DIR


@cache
def _vars() -> dict:
    with (DBT_PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)["vars"]


def dbt_var(name: str):
    """A var as dbt_project.yml sets it (KeyError for one it does not set)."""
    return _vars()[name]
