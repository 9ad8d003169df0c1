"""A run of `xmk run` killed mid-step must not hold the pool slot for ever."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from dagster_project.orchestration.dead_runs import (
    PROCESS_TAG,
    release_dead_runs,
    this_process_tag,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # The repository's instance settings: the pool `duckdb` has one slot.
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance
    finally:
        instance.dispose()


def started_run(instance, process_tag: str) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(
        DagsterRun(
            job_name="nightly",
            run_id=run_id,
            status=dg.DagsterRunStatus.STARTED,
            tags={PROCESS_TAG: process_tag},
        )
    )
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default("duckdb")
    assert storage.claim_concurrency_slot("duckdb", run_id, "dbt_warehouse").is_claimed
    return run_id


def dead_process_tag() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:0"


def slots_taken(instance) -> int:
    return instance.event_log_storage.get_concurrency_info("duckdb").active_slot_count


def test_a_run_whose_process_is_gone_is_failed_and_its_slot_freed(instance):
    run_id = started_run(instance, dead_process_tag())
    assert slots_taken(instance) == 1
    assert release_dead_runs(instance) == [run_id]
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert slots_taken(instance) == 0


def test_a_run_still_executing_keeps_its_slot(instance):
    run_id = started_run(instance, this_process_tag())
    assert release_dead_runs(instance) == []
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert slots_taken(instance) == 1


def test_a_reused_pid_is_not_the_process_that_ran(instance):
    host, pid, _start = this_process_tag().split(":")
    run_id = started_run(instance, f"{host}:{pid}:1")  # same pid, started at another time
    assert release_dead_runs(instance) == [run_id]


def test_runs_of_other_machines_or_launched_by_the_daemon_are_left_alone(instance):
    other = started_run(instance, "another-host:1:1")
    assert release_dead_runs(instance) == []
    assert instance.get_run_by_id(other).status == dg.DagsterRunStatus.STARTED
