"""kill -9 of `xmk run` takes its parse workers and its `dbt build` with it: nothing goes on
writing the warehouse without the run, and the next run finds it free."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import cron_env
from tests.dbt.city import build_city
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx

XMK = Path(sys.executable).parent / "xmk"


def _children(pid: int) -> dict[int, str]:
    """{pid: command line} of the processes whose parent is `pid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found[int(entry.name)] = command
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def _start(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(XMK), "run"],
        cwd=root,
        env=cron_env(root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_child(run: subprocess.Popen, mark: str, timeout: float = 300) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [pid for pid, command in _children(run.pid).items() if mark in command]
        if found:
            return found
        if run.poll() is not None:
            raise AssertionError(f"the run ended ({run.returncode}) before {mark!r} started")
        time.sleep(0.05)
    raise AssertionError(f"no child {mark!r} within {timeout} s")


def _kill_and_watch(run: subprocess.Popen, children: list[int]) -> None:
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if _alive(pid)], "children outlived the run"


def test_parse_workers_die_with_the_run(tmp_path):
    row = [1, "2024-220281-48-01-000001", "项目", "公司", "镇", 8000, 3000, 1000, "2026.3",
           "2026.4", "局", "张三", "13912345678"]  # fmt: skip
    for i in range(200):  # enough files to keep the workers busy for a while
        write_xlsx(
            tmp_path / "raw" / f"2026-{i % 12 + 1:02d}" / f"220281_蛟河市_{i}.xlsx",
            {"在建项目": [*title_rows("在建项目", "蛟河市"), TEMPLATE_UNDER_CONSTRUCTION,
                          *[row] * 50]},
        )  # fmt: skip
    run = _start(tmp_path)
    workers = _wait_for_child(run, "multiprocessing")
    _kill_and_watch(run, workers)


@pytest.mark.usefixtures("dbt_manifest")
def test_dbt_dies_with_the_run_and_the_next_run_finds_the_warehouse_free(tmp_path):
    build_city(tmp_path / "raw")
    run = _start(tmp_path)
    dbt = _wait_for_child(run, "xmk-dbt")
    time.sleep(3)  # well into the build: models are being written
    _kill_and_watch(run, dbt)
    again = subprocess.run(
        [str(XMK), "run"], cwd=tmp_path, env=cron_env(tmp_path),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout[-3000:]
