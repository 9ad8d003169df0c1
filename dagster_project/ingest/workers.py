"""Parsing in worker processes, where no single file can stop the others.

A reader may die on a hostile file in ways Python cannot catch (a native abort on an
allocation, a crash), and a file may need far more memory than a workbook should. Each
worker is watched: one whose resident memory passes the budget is killed. When a worker
dies, the files not yet parsed are parsed again one at a time in a single worker, so that
the file whose worker dies then is known — and refused alone, with the reason; everything
else loads as if nothing had happened.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# Resident memory a parse worker may use (SPEC §7 keeps a whole run under 1.5 GB); a
# deployment with larger workbooks raises it with XMK_PARSE_MEMORY_MB.
DEFAULT_MEMORY_MB = 1024
_POLL_SECONDS = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


def memory_budget_mb() -> int:
    value = os.environ.get("XMK_PARSE_MEMORY_MB", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MEMORY_MB


def worker_death_reason(killed_for_memory: bool, budget_mb: int) -> str:
    if killed_for_memory:
        return (
            f"读取该文件所需内存超过上限（{budget_mb} MB），文件可能含有大量空行、空列或异常内容，"
            "请删除无关内容后另存为.xlsx再报送 [parse exceeded the memory budget]"
        )
    return (
        "读取该文件时解析进程异常退出，文件可能已损坏或含有异常内容，请用Excel或WPS打开后"
        "另存为.xlsx再报送 [the parse worker died on this file]"
    )


class _Watch(threading.Thread):
    """Kills any worker of `pool` whose resident memory passes `budget_bytes`."""

    def __init__(self, pool: ProcessPoolExecutor, budget_bytes: int):
        super().__init__(name="xmk-parse-memory-watch", daemon=True)
        self.pool, self.budget = pool, budget_bytes
        self.killed: set[int] = set()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(_POLL_SECONDS):
            for pid in list(getattr(self.pool, "_processes", None) or {}):
                if _resident_bytes(pid) > self.budget:
                    self.killed.add(pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def parse_in_workers(
    groups: Sequence[Sequence],
    task: Callable,
    initializer: Callable,
    initargs: tuple,
    jobs: int,
    refuse: Callable[[object, str], object],
) -> Iterator:
    """`task(group)` for every group, in order, in `jobs` workers; when a worker dies, the
    rest one file at a time, and `refuse(item, reason)` for the file whose worker died.
    Raises BrokenProcessPool when no worker can start at all."""
    budget_mb = memory_budget_mb()
    queue = [list(group) for group in groups]
    one_by_one = False
    ctx = multiprocessing.get_context("spawn")
    while queue:
        pool = ProcessPoolExecutor(
            1 if one_by_one else jobs,
            mp_context=ctx,
            initializer=initializer,
            initargs=initargs,
        )
        watch = _Watch(pool, budget_mb * 2**20)
        watch.start()
        try:
            for result in pool.map(task, queue):
                yield result
                queue.pop(0)
            return
        except BrokenProcessPool:
            if not one_by_one:
                if not _workers_start(ctx, initializer, initargs):
                    raise
                queue = [[item] for group in queue for item in group]
                one_by_one = True
                continue
            (item,) = queue.pop(0)  # one worker, one file: this one
            yield refuse(item, worker_death_reason(bool(watch.killed), budget_mb))
        finally:
            watch.done.set()
            pool.shutdown(wait=True, cancel_futures=True)


def _workers_start(ctx, initializer, initargs) -> bool:
    """Whether a worker can start from this process at all (a script read from standard
    input cannot spawn one)."""
    try:
        with ProcessPoolExecutor(
            1, mp_context=ctx, initializer=initializer, initargs=initargs
        ) as p:
            return p.submit(os.getpid).result() > 0
    except BrokenProcessPool:
        return False
