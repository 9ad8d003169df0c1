"""How dbt nodes become Dagster assets: keys [schema, name] and groups by folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class XmkDbtTranslator(DagsterDbtTranslator):
    """Sources keep the raw/<table> keys of the ingestion assets (their meta says so), so
    the lineage runs raw → staging → intermediate → marts. Models and seeds are keyed
    [schema, name] — the relation an analyst queries — and grouped by the first
    folder under models/ (staging, intermediate, marts, reports), seeds as reference."""

    def __init__(self):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        # fqn is [project, folder, …, name]: the folder under models/.
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)
