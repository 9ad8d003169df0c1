"""How long a run launched from the Dagster UI takes. A script, not a test:

    .venv/bin/python bench/ui_run.py --deployment DIR [--job ingest] [--runs 2]

DIR holds `raw/` and a `warehouse/` that an earlier `xmk run` filled (so an `ingest`
run finds nothing new). The script starts `dagster dev` on this checkout with a Dagster
instance of its own (the repository's dagster.yaml in DIR/dagster_home), launches the
job through the webserver's GraphQL API — what the UI's *Materialize* / *Launch run*
does: the run queue, the daemon, the run launcher and its executor — and prints, for
each run, the time from launch to its end and the time the run itself took.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deployment", required=True, type=Path)
    ap.add_argument("--job", default="ingest")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    deployment = args.deployment.resolve()
    home = deployment / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        # as `make ui` runs it (uv run): the checkout's .venv/bin first on PATH
        "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DAGSTER_HOME": str(home),
        "XMK_RAW_DIR": str(deployment / "raw"),
        "XMK_WAREHOUSE_DIR": str(deployment / "warehouse"),
        "XMK_OUT_DIR": str(deployment / "out"),
    }
    log = open(deployment / "dagster_dev.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/dagster"), "dev", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        from dagster_graphql import DagsterGraphQLClient

        client = DagsterGraphQLClient("localhost", port_number=port)
        _wait_for(client, args.job)
        print(f"dagster dev on port {port}, instance {home}, load {os.getloadavg()[0]:.2f}")
        for i in range(args.runs):
            launched = time.monotonic()
            run_id = client.submit_job_execution(args.job)
            status = _wait_until_done(client, run_id)
            total = time.monotonic() - launched
            ran = _run_seconds(home, run_id)
            print(
                f"run {i + 1}: {args.job} {status}: {total:.1f} s from launch to end, "
                f"{ran:.1f} s in the run (load {os.getloadavg()[0]:.2f})"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


_JOBS = """{ repositoriesOrError { ... on RepositoryConnection {
    nodes { pipelines { name } } } } }"""


def _wait_for(client, job: str, timeout: float = 600) -> None:
    """Until the webserver answers and the code location has loaded with `job` in it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = client._execute(_JOBS)
            nodes = answer["repositoriesOrError"].get("nodes", [])
            if any(p["name"] == job for n in nodes for p in n["pipelines"]):
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"no job {job} after {timeout} s")
        time.sleep(2)


def _wait_until_done(client, run_id: str, timeout: float = 3600) -> str:
    from dagster import DagsterRunStatus

    done = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get_run_status(run_id)
        if status in done:
            return status.value
        time.sleep(1)
    raise TimeoutError(f"run {run_id} still going after {timeout} s")


def _run_seconds(home: Path, run_id: str) -> float:
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    with dg.DagsterInstance.get() as instance:
        record = instance.get_run_record_by_id(run_id)
        return (record.end_time or 0) - (record.start_time or 0)


if __name__ == "__main__":
    sys.exit(main())
