"""The portal's receipt beside a file it wrote into raw/: who sent it, for which period,
which bytes, and when it was received.

A confirmed upload lies in `raw/<period>/<file>` with `<file>.receipt.json` beside it.
The portal writes the receipt first (atomically) and then the file, so for a moment a
receipt may have no file yet. When a receipt matches its file's bytes, its received_at
and its account win over the file's modification time and over the submitter named by the
file name (ingest/discover.py); a receipt that does not match is not trusted.

The format, version 1 (UTF-8 JSON):

    {"format": 1, "account": "yongji", "region_code": "220221", "period": "2026-10",
     "kind": "county_monthly", "sha256": "<64 hex>", "size": 12345,
     "received_at": "2026-11-02T09:30:15+08:00"}
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY
from dagster_project.settings import BEIJING

RECEIPT_SUFFIX = ".receipt.json"
FORMAT = 1
# A receipt is a few hundred bytes; anything far larger is not one.
MAX_RECEIPT_BYTES = 64 * 1024

_PERIOD = {
    COUNTY_MONTHLY: re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    COUNTY_WEEKLY: re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"),
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = ("account", "region_code", "period", "kind", "sha256", "size", "received_at")


class ReceiptInvalid(ValueError):
    """A receipt that cannot be read as one: not JSON, a field missing or malformed."""

    def __init__(self, receipt: Path, problem: str):
        super().__init__(f"receipt {receipt}: {problem}")
        self.receipt = receipt
        self.problem = problem


@dataclass(frozen=True)
class Receipt:
    account: str  # the portal login that confirmed the upload
    region_code: str  # the account's region: the submitter
    period: str  # "2026-10" (monthly) or "2026-W44" (weekly), as the folder is named
    kind: str  # COUNTY_MONTHLY | COUNTY_WEEKLY
    sha256: str  # of the file's bytes, lower-case hex
    size: int  # of the file, in bytes
    received_at: datetime  # when the upload was confirmed, Beijing time

    def __post_init__(self):
        """Checks every field; an aware received_at is kept as the same instant in Beijing
        time, a naive one is refused (the receipt would not say when it was)."""
        for name in ("account", "region_code", "period", "kind", "sha256"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, not {value!r}")
        if self.kind not in _PERIOD:
            raise ValueError(f"kind must be {COUNTY_MONTHLY} or {COUNTY_WEEKLY}, not {self.kind!r}")
        if not _PERIOD[self.kind].match(self.period):
            raise ValueError(f"period {self.period!r} is not a period of kind {self.kind}")
        if not _SHA256.match(self.sha256):
            raise ValueError(f"sha256 must be 64 lower-case hex digits, not {self.sha256!r}")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValueError(f"size must be a non-negative integer, not {self.size!r}")
        received = self.received_at
        if not isinstance(received, datetime) or received.utcoffset() is None:
            raise ValueError(f"received_at must be a time with its offset, not {received!r}")
        object.__setattr__(self, "received_at", received.astimezone(BEIJING))

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "account": self.account,
            "region_code": self.region_code,
            "period": self.period,
            "kind": self.kind,
            "sha256": self.sha256,
            "size": self.size,
            "received_at": self.received_at.isoformat(),
        }


def receipt_path(file: Path) -> Path:
    """Where the receipt of `file` lies: beside it, its name plus RECEIPT_SUFFIX."""
    return file.with_name(file.name + RECEIPT_SUFFIX)


def is_receipt(path: Path) -> bool:
    return path.name.lower().endswith(RECEIPT_SUFFIX)


def write_receipt(file: Path, receipt: Receipt) -> Path:
    """Write the receipt of `file` (which need not exist yet) atomically: a temporary file
    named with a leading dot in the same folder (never read by discover), synced, then
    renamed over the receipt's name. Returns the receipt's path."""
    target = receipt_path(file)
    data = json.dumps(receipt.to_json(), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o644)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def read_receipt(file: Path) -> Receipt | None:
    """The receipt beside `file`; None when there is none. A receipt that is not one
    (a link, too large, not UTF-8 JSON, a field missing or malformed, an unknown format)
    raises ReceiptInvalid naming the receipt file."""
    path = receipt_path(file)
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink():
        raise ReceiptInvalid(path, "is a link, not a receipt the portal wrote")
    try:
        if path.stat().st_size > MAX_RECEIPT_BYTES:
            raise ReceiptInvalid(path, f"larger than {MAX_RECEIPT_BYTES} bytes")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None  # removed while being looked at
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReceiptInvalid(path, f"not readable as UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ReceiptInvalid(path, "not a JSON object")
    if data.get("format") != FORMAT:
        raise ReceiptInvalid(path, f"unknown format {data.get('format')!r} (expected {FORMAT})")
    missing = [name for name in _FIELDS if name not in data]
    if missing:
        raise ReceiptInvalid(path, f"missing {', '.join(missing)}")
    try:
        received = data["received_at"]
        if not isinstance(received, str):
            raise ValueError(f"received_at must be ISO 8601 text, not {received!r}")
        return Receipt(
            account=data["account"],
            region_code=data["region_code"],
            period=data["period"],
            kind=data["kind"],
            sha256=data["sha256"],
            size=data["size"],
            received_at=datetime.fromisoformat(received),
        )
    except ValueError as exc:
        raise ReceiptInvalid(path, str(exc)) from exc


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a directory's entry is its own data)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
