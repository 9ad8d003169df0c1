"""`xmk run`: the nightly job in-process, with the definitions the UI shows."""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.settings import Paths, resolve_paths


def run_nightly(raw=None, warehouse=None, out=None) -> int:
    paths = resolve_paths(raw, warehouse, out)
    if not paths.raw_dir.is_dir():
        print(f"xmk run: no landing folder at {paths.raw_dir} (try `xmk demo-data` first)")
        return 2
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("nightly")
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    config = {
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        "resources": {
            "settings": {
                "config": {
                    "raw_dir": str(paths.raw_dir),
                    "warehouse_dir": str(paths.warehouse_dir),
                    "out_dir": str(paths.out_dir),
                }
            }
        },
    }
    log_path = paths.out_dir / "logs" / f"xmk-run-{datetime.now():%Y%m%d-%H%M%S}.log"
    with _output_to(log_path), contextlib.ExitStack() as stack:
        if instance is None:
            instance = stack.enter_context(dg.DagsterInstance.ephemeral())
        result = job.execute_in_process(run_config=config, instance=instance, raise_on_error=False)
    print(_this_run(result))
    print(f"full log: {log_path}")
    if result.success:
        print(warehouse_summary(paths))
        return 0
    for event in result.all_events:
        if event.is_step_failure:
            print(f"step failed: {event.step_key}: {event.event_specific_data.error.message}")
    return 1


@contextlib.contextmanager
def _output_to(log_path: Path):
    """dbt and the steps print a line per model and test: that goes to a log file, so
    the terminal shows the summary (warnings and errors still reach stderr)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    saved = os.dup(1)
    with open(log_path, "ab") as log:
        os.dup2(log.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _this_run(result) -> str:
    for mat in result.asset_materializations_for_node("ingest_raw_files"):
        if mat.asset_key == dg.AssetKey(["raw", "manifest"]):
            return "this run:\n" + mat.metadata["summary"].value.strip("`\n")
    return "this run: ingestion did not run"


def warehouse_summary(paths: Paths) -> str:
    """What the warehouse holds, across all runs."""
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        files = con.execute(
            """select count(*) filter (status = 'loaded'), count(*) filter (status = 'rejected'),
                      count(*) filter (status = 'loaded' and not is_effective),
                      coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),
                      coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_structural), 0)
               from raw.manifest"""
        ).fetchone()
    finally:
        con.close()
    loaded, rejected, superseded, read, rows, quarantined, structural = files
    return (
        f"warehouse {paths.warehouse_db}:\n"
        f"  files {loaded} loaded ({superseded} superseded by a later submission), "
        f"{rejected} rejected\n"
        f"  rows  {read} read = {rows} loaded + {quarantined} quarantined + "
        f"{structural} totals/sections"
    )
