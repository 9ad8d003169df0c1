"""The send log, `out/outbox/send_log.jsonl` (its states: the package's docstring): which
messages wait for the operator, and the operator's `xmk mail status` and `xmk mail
release`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dagster_project.publish.mail.message import message_id
from dagster_project.settings import command_name

SEND_LOG_NAME = "send_log.jsonl"

SENT = "sent"  # 250 to the message
REFUSED = "refused"  # a 4xx or 5xx reply
FAILED = "failed"  # nothing handed over
UNKNOWN = "unknown"  # handed over whole, the reply lost
SENDING = "sending"  # written before the message goes; alone, the run stopped: unknown
RELEASED = "released"  # the operator's word: send it again


def send_log_path(out_dir: Path) -> Path:
    return out_dir / "outbox" / SEND_LOG_NAME


def is_held(entry: Mapping, to: Iterable[str] | None = None) -> bool:
    """Whether a message in this state waits for the operator's word: it went to the
    server and the reply was lost (it may have arrived), or the server refused it for good
    (5xx) — unless it is now addressed to others (a corrected contact_email)."""
    status = entry.get("status")
    if status in (UNKNOWN, SENDING):
        return True
    if status == REFUSED and _is_permanent_code(entry.get("code")):
        return to is None or sorted(to) == sorted(entry.get("to") or [])
    return False


def _is_permanent_code(code) -> bool:
    return isinstance(code, int) and 500 <= code < 600


class SendLog:
    """JSON lines: `sending` when a message is about to go, then what became of it, and
    `released` when the operator lets a held message go again. A key's state is its last
    line, except that a key once `sent` stays sent; a line cut off by a crash is ignored.
    A crash after the `sending` line leaves the message `unknown`, never sent twice."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("key"), str)
                and isinstance(entry.get("status"), str)
            ):
                found.append(entry)
        return found

    def states(self) -> dict[str, dict]:
        """Each key's deciding entry, in the order the keys first appear."""
        states: dict[str, dict] = {}
        for entry in self.entries():
            if states.get(entry["key"], {}).get("status") != SENT:
                states[entry["key"]] = entry
        return states

    def _ends_with_newline(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return True
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def record(
        self, key: str, region_code: str, to: Iterable[str], status: str, error=None, **extra
    ) -> None:
        entry = {
            "key": key,
            "region_code": region_code,
            "to": list(to),
            "status": status,
            "at": datetime.now().isoformat(timespec="seconds"),
        }
        if error:
            entry["error"] = error
        entry.update({name: value for name, value in extra.items() if value is not None})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        if not self._ends_with_newline():
            line = "\n" + line  # do not glue this entry to a line a crash cut off
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


@dataclass(frozen=True)
class Release:
    released: list[str] = field(default_factory=list)
    # key -> why it was not released (unknown key, sent, not held)
    refused: dict[str, str] = field(default_factory=dict)


def release(
    log_path: Path, keys: Iterable[str] = (), all_unknown: bool = False, all_held: bool = False
) -> Release:
    """The operator's word: the held messages named (or every `unknown` one, or every held
    one) may go again; the next run sends them, while their report is still the latest
    month's. A message the server accepted (250) is never released."""
    log = SendLog(log_path)
    states = log.states()
    wanted = list(dict.fromkeys(keys))
    for key, entry in states.items():
        unknown = entry["status"] in (UNKNOWN, SENDING)
        if key not in wanted and ((all_unknown and unknown) or (all_held and is_held(entry))):
            wanted.append(key)
    result = Release()
    for key in wanted:
        entry = states.get(key)
        if entry is None:
            result.refused[key] = "not in the send log"
        elif entry["status"] == SENT:
            result.refused[key] = f"accepted by the server (250) at {entry.get('at')}"
        elif not is_held(entry):
            result.refused[key] = f"not held ({_state_text(entry)}): the next run tries it"
        else:
            log.record(
                key,
                entry.get("region_code", ""),
                entry.get("to") or [],
                RELEASED,
                previous=_state_text(entry),
                message_id=entry.get("message_id"),
            )
            result.released.append(key)
    return result


def _state_text(entry: Mapping) -> str:
    status, code = entry.get("status"), entry.get("code")
    if status == SENDING:
        return "unknown: the run stopped while handing it over"
    if status == REFUSED and code:
        return f"refused {code}"
    return str(status)


def status_text(log_path: Path, show_all: bool = False) -> str:
    """`xmk mail status`: each report's state in the send log, held ones first, with what
    the operator can do about them."""
    log = SendLog(log_path)
    if not log.path.exists():
        return f"send log {log_path}: nothing mailed yet"
    states = log.states()
    held = [e for e in states.values() if is_held(e)]
    due = [e for e in states.values() if e["status"] != SENT and not is_held(e)]
    sent = [e for e in states.values() if e["status"] == SENT]
    lines = [f"send log {log_path}: {len(sent)} sent, {len(held)} held, {len(due)} to retry"]
    if held:
        lines += [
            "held — not sent again until released:",
            "  (unknown: it went to the server and its reply was lost, so it may have",
            "  arrived — ask the county, or look its Message-ID up in the mail server's log;",
            "  refused 5xx: correct the address or the server's settings first. Then",
            f"  `{command_name()} mail release KEY`, and the next `{command_name()} run` "
            "sends it.)",
            *_entry_lines(held),
        ]
    if due:
        lines += ["tried again by the next run:", *_entry_lines(due)]
    if show_all and sent:
        lines += ["sent (accepted by the server, never sent again):", *_entry_lines(sent)]
    return "\n".join(lines)


def _entry_lines(entries: list[dict]) -> list[str]:
    lines = []
    for e in sorted(entries, key=lambda e: (e.get("at", ""), e["key"])):
        to = ", ".join(e.get("to") or [])
        lines.append(
            f"  {_state_text(e):<12} {e['key']}  {e.get('region_code', '')} → {to}  "
            f"since {e.get('at', '?')}"
        )
        detail = [f"Message-ID {e.get('message_id') or message_id(e['key'])}"]
        if e.get("error"):
            detail.append(e["error"])
        lines.append("      " + ": ".join(detail))
    return lines
