"""The README's command lines, run as a newcomer types them on a fresh checkout.

The checkout's files (what `git ls-files` holds, committed or not) are copied to a new
folder, and every fenced block of README.md is run there, in the README's order, with a
newcomer's environment: PATH=/usr/bin:/bin (no uv, no duckdb, no .venv/bin), a new HOME,
no DAGSTER_HOME.

* ```bash blocks run in bash; a block fails the test when it exits non-zero. A line whose
  comment says "then open http://…" starts a server: it runs in the background until the
  address answers, then is stopped. `make test` is this suite's own command and is not
  run again from inside it.
* A plain ``` block right after a bash block is what that block prints: each of its lines
  must be in the output (a line with "…" up to the "…").
* ```sql blocks run through `./xmk sql`, one statement at a time, and must return rows;
  on the working warehouse (`--working`) when they read its `raw`, `quality` or `meta`.
* ```python blocks run with the checkout's `.venv/bin/python`.
* Every `./xmk …` or `make …` in the prose is also in some bash block, so it runs too
  (a form with a placeholder, `./xmk mail release KEY`, is not a line to type).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import textwrap
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
NEWCOMER_PATH = "/usr/bin:/bin"
SERVER = re.compile(r"#.*then open (http://localhost:\d+\S*)")
NOT_RERUN = {"make test"}  # this suite's own command
# Fenced blocks, also those indented inside a list item.
BLOCK = re.compile(r"^( *)```(\w*)\n(.*?)^\1```\n", re.S | re.M)
WORKING = re.compile(r"\b(raw|quality|meta)\.\w")
PLACEHOLDER = re.compile(r"…|\b[A-Z]{3,}\b")
INLINE = re.compile(r"`((?:\./xmk|make) [^`]+)`")


@dataclass
class Block:
    lang: str
    text: str
    line: int  # where it starts in README.md


def readme_blocks(text: str) -> list[Block]:
    return [
        Block(m.group(2), textwrap.dedent(m.group(3)), text[: m.start()].count("\n") + 1)
        for m in BLOCK.finditer(text)
    ]


def fresh_checkout(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = REPO / os.fsdecode(name)
        if src.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def newcomer_env(home: Path) -> dict[str, str]:
    """This machine's environment as a newcomer's shell has it — its network and
    certificate settings (the package registry is reached through them) — but PATH only
    /usr/bin:/bin, a new HOME, and nothing of xmk, Dagster or a virtualenv."""
    ours = ("XMK_", "DAGSTER_", "VIRTUAL_ENV", "PYTHON", "PYTEST", "UV_PROJECT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    # uv's downloads stay in this machine's cache, as a newcomer's would on a second try.
    env.setdefault("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))
    env |= {"PATH": NEWCOMER_PATH, "HOME": str(home), "LANG": "C.UTF-8", "CI": "true"}
    return env


def test_the_readme_parses_into_blocks_that_run():
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    langs = {b.lang for b in blocks}
    assert {"bash", "sql", "python"} <= langs
    bash = "\n".join(b.text for b in blocks if b.lang == "bash")
    assert "make demo" in bash and "./xmk" in bash
    for command in INLINE.findall(README.read_text(encoding="utf-8")):
        if PLACEHOLDER.search(command):
            continue  # a form (`./xmk mail release KEY`), not a line to type
        assert command.split(" #")[0].strip() in bash, (
            f"README names `{command}` in its prose but no bash block runs it"
        )


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory):
    root = tmp_path_factory.mktemp("newcomer")
    home = root / "home"
    home.mkdir()
    return fresh_checkout(root / "xmk"), newcomer_env(home)


def test_every_readme_command_works_as_typed_on_a_fresh_checkout(newcomer):
    checkout, env = newcomer
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    output = ""
    for i, block in enumerate(blocks):
        where = f"README.md:{block.line}"
        if block.lang == "bash":
            output = run_bash(block.text, checkout, env, where)
        elif block.lang == "" and i and blocks[i - 1].lang == "bash":
            expect_printed(block.text, output, where)
        elif block.lang == "sql":
            for statement in filter(None, (s.strip() for s in block.text.split(";"))):
                if statement.startswith("--") and "\n" not in statement:
                    continue
                working = ["--working"] if WORKING.search(statement) else []
                result = run(["./xmk", "sql", *working, statement], checkout, env, where)
                assert len(result.strip().splitlines()) > 1, f"{where}: no rows\n{statement}"
        elif block.lang == "python":
            run([".venv/bin/python", "-c", block.text], checkout, env, where)
    # `./xmk run` recorded its runs in the checkout's own Dagster instance, the one
    # `make ui` shows.
    runs = run(
        [
            ".venv/bin/python",
            "-c",
            "import dagster as dg; i = dg.DagsterInstance.get(); "
            "print(sorted({r.job_name for r in i.get_runs()}))",
        ],
        checkout,
        {**env, "DAGSTER_HOME": str(checkout / "dagster_home")},
        "the checkout's Dagster instance",
    )
    assert "nightly" in runs


def run(command: list[str], cwd: Path, env: dict, where: str, timeout: int = 1800) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{where}: `{' '.join(command)[:200]}` exited {done.returncode}\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


def run_bash(text: str, cwd: Path, env: dict, where: str) -> str:
    script, out = [], []
    for line in text.splitlines():
        if (url := SERVER.search(line)) is not None:
            out.append(serve(line.split("#")[0], url.group(1), cwd, env, where))
        elif line.split("#")[0].strip() not in NOT_RERUN:
            script.append(line)
    if any(line.split("#")[0].strip() for line in script):
        out.append(run(["bash", "-euo", "pipefail", "-c", "\n".join(script)], cwd, env, where))
    return "\n".join(out)


def serve(command: str, url: str, cwd: Path, env: dict, where: str) -> str:
    """Start a server line, wait until `url` answers, stop it."""
    log = cwd / f".serve-{abs(hash(command))}.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 600
        while True:
            assert process.poll() is None, (
                f"{where}: `{command}` ended ({process.returncode}) before {url} answered\n"
                + log.read_text(errors="replace")[-3000:]
            )
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    assert answer.status == 200
                    return log.read_text(errors="replace")
            except OSError:
                assert time.monotonic() < deadline, f"{where}: {url} never answered"
                time.sleep(2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def expect_printed(expected: str, output: str, where: str) -> None:
    for line in expected.splitlines():
        wanted = line.split("…")[0].rstrip()
        if wanted:
            assert wanted in output, f"{where}: the README shows\n  {line}\nnot printed:\n{output}"
