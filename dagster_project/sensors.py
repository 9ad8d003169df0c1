"""The landing-zone sensor: new files in raw/ start the ingest job (SPEC §5).

How changes are found without reading every file each tick, and why the same files can
never start two runs: dagster_project/orchestration/raw_changes.py.
"""

import time

import dagster as dg

from dagster_project.jobs import ingest_job
from dagster_project.orchestration.raw_changes import SETTLE_SECONDS, changes, decode_cursor, scan
from dagster_project.resources import XmkSettings

CHECK_EVERY_SECONDS = 120


@dg.sensor(
    name="raw_files",
    job=ingest_job,
    minimum_interval_seconds=CHECK_EVERY_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the ingest job when files land in raw/ (or change, or the "
    f"reference changes); a file modified in the last {SETTLE_SECONDS} s is left for the "
    "next tick, in case it is still being copied.",
)
def raw_files_sensor(context: dg.SensorEvaluationContext, settings: XmkSettings):
    raw_dir = settings.paths().raw_dir
    if not raw_dir.is_dir():
        return dg.SkipReason(f"no landing folder at {raw_dir}")
    listing = scan(raw_dir, settled_before=time.time() - SETTLE_SECONDS)
    found = changes(raw_dir, decode_cursor(context.cursor), listing)
    if found.run_key is None:
        return dg.SensorResult(
            skip_reason=dg.SkipReason("nothing new in raw/"), cursor=found.cursor
        )
    folders = ", ".join(found.folders)
    context.log.info(f"new or changed files in {folders}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=found.run_key,
                tags={"xmk/raw_folders": folders if len(folders) <= 200 else folders[:197] + "…"},
            )
        ],
        cursor=found.cursor,
    )
