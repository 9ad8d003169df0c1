"""Runs of `xmk run` that died without a word, and the pool slots they still hold.

`xmk run` executes the job in its own process on the instance of DAGSTER_HOME, whose pool
`duckdb` has one slot. A step gives its slot back when it ends; a process killed in the
middle (kill -9, the out-of-memory killer, a reboot) never does, its run stays STARTED
and every later run would wait for that slot forever. No daemon watches in-process runs,
so each `xmk run` tags its run with the process that executes it and, before starting,
fails the runs of this host whose process is gone and frees their slots.
"""

from __future__ import annotations

import os
import socket

import dagster as dg
from dagster._core.storage.dagster_run import FINISHED_STATUSES, RunsFilter

PROCESS_TAG = "xmk/process"  # host:pid:start time of the process executing the run
_IN_PROGRESS = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def this_process_tag() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail the in-progress runs of this host whose process is gone, and free the pool
    slots of every finished run; returns the ids of the runs failed."""
    host = socket.gethostname()
    failed = []
    for record in instance.get_run_records(RunsFilter(statuses=_IN_PROGRESS)):
        run = record.dagster_run
        owner = run.tags.get(PROCESS_TAG, "")
        run_host, _, rest = owner.partition(":")
        if run_host != host or _alive(rest):
            continue
        instance.report_run_failed(run, f"the process that ran it ({owner}) is gone")
        failed.append(run.run_id)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        holders = list(storage.get_concurrency_run_ids())
        if holders:
            finished = instance.get_run_records(
                RunsFilter(run_ids=holders, statuses=list(FINISHED_STATUSES))
            )
            for record in finished:
                storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
    return failed


def _alive(pid_and_start: str) -> bool:
    pid_text, _, started = pid_and_start.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return True  # not ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Alive, but a pid is reused: the same pid started at another time is another process.
    return _start_time(pid) == started


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks after boot (Linux); empty elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            # The command name, in parentheses, may hold spaces: count from after it.
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""
