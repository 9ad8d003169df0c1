"""The supersession views of the raw schema as assets, so that Dagster's lineage runs
raw/manifest → raw/submission_lists → raw/effective_submission_lists → staging.

Ingestion creates the views (dagster_project/ingest/schema.py); they hold no data of
their own and are never materialised, so they are declared, not computed.
"""

import dagster as dg

from dagster_project.assets.ingestion import RAW_GROUP, raw_asset_key

raw_views = [
    dg.AssetSpec(
        raw_asset_key("submission_lists"),
        description="每个已加载报送文件及其清单（视图） (one row per loaded submission and list)",
        deps=[raw_asset_key("manifest")],
        group_name=RAW_GROUP,
        kinds={"duckdb"},
    ),
    dg.AssetSpec(
        raw_asset_key("effective_submission_lists"),
        description="每个报送单位、报送期、清单最新接收的一份（视图）"
        " (the latest received submission per submitter, period and list: the one that counts)",
        deps=[raw_asset_key("submission_lists")],
        group_name=RAW_GROUP,
        kinds={"duckdb"},
    ),
]
