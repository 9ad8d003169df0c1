"""What `xmk run` shows on the terminal while it runs.

The run's own output (Dagster's event log, dbt's line per model) goes to the log file; the
terminal gets one line when each step starts and ends, with its time, the files and rows
as ingestion reads them, and any wait for the warehouse — so an operator watching a
two-minute run, or reading cron's mail the next morning, sees where it is or where it
stopped. Times are Beijing time. On a terminal the ingestion count is one line rewritten
in place; elsewhere (cron, a pipe) it is a plain line at most every `PLAIN_EVERY` seconds.

Steps run in the process of `xmk run` (the in-process executor), so the terminal is a
module-level sink: `showing_progress` sets it for the length of a run, `say` and
`files_read` write to it, and do nothing where no run shows progress (the UI's runs, tests).
Ingestion's parse workers import this module, so it imports nothing heavy (not Dagster:
each worker would carry it in its memory budget).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import datetime
from typing import TextIO

from dagster_project.settings import BEIJING

PLAIN_EVERY = 10.0  # seconds between plain progress lines


class _Terminal:
    def __init__(self, stream: TextIO):
        self.stream = stream
        self.is_tty = stream.isatty()
        self.lock = threading.Lock()
        self.open_bar = False  # a progress line is on screen, not yet ended
        self.last_plain = 0.0
        self.started: dict[str, float] = {}

    def line(self, text: str) -> None:
        with self.lock:
            if self.open_bar:
                self.stream.write("\r\x1b[K")
                self.open_bar = False
            self.stream.write(f"{now()} {text}\n")
            self.stream.flush()

    def bar(self, text: str, final: bool) -> None:
        if not self.is_tty:
            moment = time.monotonic()
            if final or moment - self.last_plain >= PLAIN_EVERY:
                self.last_plain = moment
                self.line(text)
            return
        with self.lock:
            self.stream.write(f"\r\x1b[K{now()} {text}")
            self.open_bar = not final
            if final:
                self.stream.write("\n")
            self.stream.flush()


_terminal: _Terminal | None = None


def now() -> str:
    return datetime.now(BEIJING).strftime("%H:%M:%S")


@contextlib.contextmanager
def showing_progress(stream: TextIO):
    """Progress lines go to `stream` (the terminal) while the block runs."""
    global _terminal
    saved, _terminal = _terminal, _Terminal(stream)
    try:
        yield
    finally:
        _terminal = saved


def say(text: str) -> None:
    if _terminal is not None:
        _terminal.line(text)


def files_read(done: int, total: int, rows: int, rejected: int) -> None:
    """Ingestion's count: `done` of `total` new files parsed, `rows` loaded so far."""
    if _terminal is None or total == 0:
        return
    width = 24
    filled = width * done // total
    bar = "#" * filled + "." * (width - filled) if _terminal.is_tty else ""
    text = f"  reading files {bar + ' ' if bar else ''}{done}/{total}, {rows:,} rows"
    if rejected:
        text += f", {rejected} refused"
    _terminal.bar(text, final=done == total)


# --------------------------------------------------------------------------- steps


def error_text(error) -> str:
    """The underlying exception of a failed step, not Dagster's wrapper around it; a
    step's own Failure says what it means in its own words."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause
    message = error.message.strip()
    if error.cls_name == "Failure":
        return message.split(": ", 1)[-1] if message.startswith("dagster") else message
    # "package.module.ReferenceFileError: …" as "ReferenceFileError: …"
    qualified = message.split(": ", 1)[0]
    if error.cls_name and qualified.endswith(error.cls_name):
        message = error.cls_name + message[len(qualified) :]
    return message


class _StepLines(logging.Handler):
    """Dagster's step events as one line each: start, and end with its time."""

    def emit(self, record: logging.LogRecord) -> None:
        terminal = _terminal
        meta = record.__dict__.get("dagster_meta") or {}
        event = meta.get("dagster_event")
        if terminal is None or event is None:
            return
        kind = event.event_type_value
        if kind == "PIPELINE_START":
            terminal.line(f"run {meta.get('run_id')} started ({meta.get('job_name')})")
            return
        if kind == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed:
                level = "error" if check.severity.value == "ERROR" else "warning"
                terminal.line(
                    f"  check failed ({level}): {check.asset_key.to_user_string()} "
                    f"{check.check_name}"
                )
            return
        step = event.step_key
        if not step:
            return
        if kind == "STEP_START":
            terminal.started[step] = time.monotonic()
            terminal.line(f"▶ {step}")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_UP_FOR_RETRY"):
            seconds = time.monotonic() - terminal.started.get(step, time.monotonic())
            word = {
                "STEP_SUCCESS": "✓",
                "STEP_FAILURE": "✗",
                "STEP_UP_FOR_RETRY": "↻ will retry",
            }[kind]
            line = f"{word} {step} {seconds:.1f} s"
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                line += f": {error_text(error)}"
            terminal.line(line)
        elif kind == "STEP_SKIPPED":
            terminal.line(f"– {step} skipped")


def step_logger() -> logging.Logger:
    """The logger behind the Dagster logger `progress` (definitions.py)."""
    logger = logging.Logger("xmk.progress", level=logging.DEBUG)
    logger.addHandler(_StepLines())
    return logger
