"""The Dagster code location: assembles assets, checks, jobs and resources.

Every job runs its steps in one process, the run's (the in-process executor): the
warehouse has one writer, so steps run one after another whatever the executor, and a
process per step would only add its start-up (Dagster, dbt, pandas, Great Expectations:
25–40 s each on two cores) to every step. A run launched from the UI, the sensor or a
schedule then costs what `xmk run` costs.
"""

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
from dagster_project.orchestration.progress import step_logger
from dagster_project.resources import XmkSettings
from dagster_project.schedules import schedules
from dagster_project.sensors import raw_files_sensor


@dg.logger(description="`xmk run`'s step lines on the terminal (nothing elsewhere).")
def step_lines(_init_context):
    return step_logger()


# Who answers for the assets (SPEC: the 市发改委 project centre runs the nightly
# materialisation, watches the checks and publishes): shown in the UI's catalogue.
OWNERS = ["team:市发改委项目中心"]

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Everything: ingest new files, build the marts, check, publish.",
)

defs = dg.Definitions(
    assets=dg.map_asset_specs(
        lambda spec: spec.replace_attributes(owners=OWNERS),
        [
            ingest_raw_files,
            *raw_views,
            dq_failures,
            dbt_warehouse,
            *publishing_assets,
            unstated_dispatch_lists,
        ],
    ),
    asset_checks=[rows_conserved, *list_checks, *publishing_checks],
    jobs=[nightly_job, ingest_job, weekly_unstated_job, publish_job],
    schedules=schedules,
    sensors=[raw_files_sensor],
    # `console` is Dagster's default; `progress` is configured by `xmk run` only.
    executor=dg.in_process_executor,
    loggers={"console": dg.colored_console_logger, "progress": step_lines},
    resources={
        "settings": XmkSettings(),
        "dbt": DbtCliResource(project_dir=xmk_dbt_project, dbt_executable=dbt_executable()),
    },
)
