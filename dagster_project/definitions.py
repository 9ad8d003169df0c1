"""The Dagster code location: assembles assets, checks, jobs and resources."""

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.assets.ingestion import ingest_raw_files, rows_conserved
from dagster_project.assets.marts import dbt_warehouse
from dagster_project.assets.publishing import publishing_assets, publishing_checks
from dagster_project.assets.quality import dq_failures, list_checks
from dagster_project.assets.raw_views import raw_views
from dagster_project.assets.weekly import unstated_dispatch_lists
from dagster_project.dbt.commands import dbt_executable
from dagster_project.dbt.project import xmk_dbt_project
from dagster_project.jobs import ingest_job, publish_job, weekly_unstated_job
from dagster_project.resources import XmkSettings
from dagster_project.schedules import schedules
from dagster_project.sensors import raw_files_sensor

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Everything: ingest new files, build the marts, check, publish.",
)

defs = dg.Definitions(
    assets=[
        ingest_raw_files,
        *raw_views,
        dq_failures,
        dbt_warehouse,
        *publishing_assets,
        unstated_dispatch_lists,
    ],
    asset_checks=[rows_conserved, *list_checks, *publishing_checks],
    jobs=[nightly_job, ingest_job, weekly_unstated_job, publish_job],
    schedules=schedules,
    sensors=[raw_files_sensor],
    resources={
        "settings": XmkSettings(),
        "dbt": DbtCliResource(project_dir=xmk_dbt_project, dbt_executable=dbt_executable()),
    },
)
