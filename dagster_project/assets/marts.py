"""dbt: raw → staging → intermediate → marts → reports, as one @dbt_assets running
`dbt build`. Each dbt test becomes an asset check of the model it tests."""

import os
import tempfile
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.dbt.commands import dbt_build_args, dbt_environment
from dagster_project.dbt.project import xmk_dbt_project
from dagster_project.dbt.translator import XmkDbtTranslator
from dagster_project.resources import XmkSettings


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=xmk_dbt_project.manifest_path,
    project=xmk_dbt_project,
    dagster_dbt_translator=XmkDbtTranslator(),
    name="dbt_warehouse",
    # DuckDB has one writer: runs that write the warehouse never overlap.
    pool="duckdb",
)
def dbt_warehouse(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    settings: XmkSettings,
    config: DbtBuildConfig,
):
    # profiles.yml reads the warehouse folder from the environment, like `xmk` does.
    os.environ.update(dbt_environment(settings.paths().warehouse_dir))
    # A throw-away target folder: dbt leaves ~1 MB of artifacts per invocation.
    with tempfile.TemporaryDirectory(prefix="xmk-dbt-") as target:
        invocation = dbt.cli(
            dbt_build_args(full_refresh=config.full_refresh),
            context=context,
            target_path=Path(target),
        )
        yield from invocation.stream()
