"""`xmk run`: the nightly job in-process, with the definitions the UI shows.

Exit codes: 0 all went well; 1 a step failed; 4 a county report's mail did not go in this
run (refused, failed or reply unknown: the line names the counties); 3 the gate held the
month back; 2 the run could not start (no landing folder, a folder it cannot write, a
full disk: one line names the path and the cause). When several of 1, 4 and 3 apply, the
first in that order wins — a failed step may leave anything undone; undelivered mail
comes before a blocked gate because a blocked month waits for the counties, and they learn
what to fix only from their reports — and every line is printed whatever the code.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.orchestration import progress
from dagster_project.orchestration.dead_runs import (
    PROCESS_TAG,
    release_dead_runs,
    this_process_tag,
)
from dagster_project.orchestration.preflight import cannot_start
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.settings import BEIJING, REPO_ROOT, Paths, resolve_paths

STEP_FAILED = 1
CANNOT_START = 2
GATE_BLOCKED = 3
MAIL_UNDELIVERED = 4
# The Dagster instance `make ui` shows, used when DAGSTER_HOME is not set.
REPO_DAGSTER_HOME = REPO_ROOT / "dagster_home"


def run_nightly(raw=None, warehouse=None, out=None, *, ephemeral: bool = False) -> int:
    """The nightly job. Its runs are recorded in the instance of DAGSTER_HOME, else in the
    checkout's `dagster_home/` (so they show in `make ui`); `ephemeral` records nothing."""
    paths = resolve_paths(raw, warehouse, out)
    if problem := cannot_start(paths):
        print(f"xmk run: {problem}", file=sys.stderr)
        return CANNOT_START
    home = None if ephemeral else instance_home()
    if home is not None:
        os.environ["DAGSTER_HOME"] = str(home)
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("nightly")
    config = {
        "loggers": {
            "console": {"config": {"log_level": "INFO"}},
            "progress": {},
        },
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
    log_path = paths.out_dir / "logs" / f"xmk-run-{datetime.now(BEIJING):%Y%m%d-%H%M%S}.log"
    print(
        f"{progress.now()} xmk run: {paths.raw_dir} → {paths.warehouse_db}"
        f"{'' if home is None else f'; runs recorded in {home}'}\n"
        f"         log: {log_path}",
        flush=True,
    )
    with _output_to(log_path) as terminal, contextlib.ExitStack() as stack:
        instance = (
            dg.DagsterInstance.get()
            if home is not None
            else stack.enter_context(dg.DagsterInstance.ephemeral())
        )
        stack.enter_context(progress.showing_progress(terminal))
        release_dead_runs(instance)
        result = job.execute_in_process(
            run_config=config,
            instance=instance,
            raise_on_error=False,
            tags={PROCESS_TAG: this_process_tag()},
        )
    print(_this_run(result))
    print(f"full log: {log_path}")
    # What the gate said in this run; a run that never reached it says nothing of it.
    gate = _gate(paths) if _gate_ran(result) else None
    blocked = gate is not None and not gate.is_open
    failures = [
        f"step failed: {e.step_key}: {progress.error_text(e.event_specific_data.error)}"
        for e in result.all_events
        if e.is_step_failure
    ]
    if result.success or blocked:
        print(warehouse_summary(paths))
    if gate is not None:
        print(gate.describe())
    elif failures:
        print("publication gate not reached: nothing was published this run")
    mail_problem, mail_held = mail_lines(result)
    for line in (mail_problem, mail_held, *failures):
        if line:
            print(line)
    return exit_code(bool(failures), bool(mail_problem), blocked)


def instance_home() -> Path | None:
    """DAGSTER_HOME when set, else the checkout's `dagster_home/` when it has its
    dagster.yaml, else None (an ephemeral instance)."""
    if home := os.environ.get("DAGSTER_HOME"):
        return Path(home)
    return REPO_DAGSTER_HOME if (REPO_DAGSTER_HOME / "dagster.yaml").is_file() else None


def _gate_ran(result) -> bool:
    from dagster_project.assets.publishing import GATE_KEY

    return any(
        event.materialization.asset_key == GATE_KEY
        for event in result.get_asset_materialization_events()
    )


def exit_code(step_failed: bool, mail_undelivered: bool, gate_blocked: bool) -> int:
    if step_failed:
        return STEP_FAILED
    if mail_undelivered:
        return MAIL_UNDELIVERED
    return GATE_BLOCKED if gate_blocked else 0


def mail_lines(result) -> tuple[str | None, str | None]:
    """What the county reports' step said of its mail: this run's undelivered reports,
    and those an earlier run left held for the operator (None each when there is none)."""
    from dagster_project.assets.publishing import COUNTY_REPORTS_KEY, MAIL_HELD, MAIL_PROBLEM

    for event in result.get_asset_materialization_events():
        mat = event.materialization
        if mat.asset_key == COUNTY_REPORTS_KEY:
            problem, held = (mat.metadata.get(name) for name in (MAIL_PROBLEM, MAIL_HELD))
            return (problem and problem.value) or None, (held and held.value) or None
    return None, None


def _gate(paths: Paths):
    """The publication gate as the run left it, or None when the marts were not built."""
    from dagster_project.publish.gate import gate_status

    if not paths.warehouse_db.exists():
        return None
    with warehouse_lock(paths.warehouse_db, "xmk run: gate", write=False):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
        try:
            return gate_status(con)
        except duckdb.CatalogException:
            return None
        finally:
            con.close()


@contextlib.contextmanager
def _output_to(log_path: Path):
    """Dagster's event log and dbt's line per model and test go to a log file; the
    terminal (yielded, as a text stream) gets the progress lines and the summary, which
    names every failed step."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    terminal = os.fdopen(os.dup(saved[1]), "w", encoding="utf-8", errors="replace")
    with open(log_path, "ab") as log, terminal:
        for fd in saved:
            os.dup2(log.fileno(), fd)
        try:
            yield terminal
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)


def _this_run(result) -> str:
    for mat in result.asset_materializations_for_node("ingest_raw_files"):
        if mat.asset_key == dg.AssetKey(["raw", "manifest"]):
            return "this run:\n" + mat.metadata["summary"].value.strip("`\n")
    return "this run: ingestion did not run"


def warehouse_summary(paths: Paths) -> str:
    """What the warehouse holds, across all runs."""
    with warehouse_lock(paths.warehouse_db, "xmk run: summary", write=False):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
        try:
            files = con.execute(
                """select count(*) filter (status = 'loaded'),
                          count(*) filter (status = 'rejected'),
                          count(*) filter (status = 'loaded' and not is_effective),
                          coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0),
                          coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_structural), 0),
                          coalesce(sum(cells_quarantined), 0)
                   from raw.manifest"""
            ).fetchone()
        finally:
            con.close()
    loaded, rejected, superseded, read, rows, quarantined, structural, cells = files
    summary = (
        f"warehouse {paths.warehouse_db}:\n"
        f"  files {loaded} loaded ({superseded} superseded by a later submission), "
        f"{rejected} rejected\n"
        f"  rows  {read} read = {rows} loaded + {quarantined} quarantined + "
        f"{structural} totals/sections"
    )
    if cells:
        summary += f"\n  cells {cells} unreadable, loaded as empty fields (raw.quarantine)"
    return summary
