"""What is in raw/: every file with its period and kind, read from where it lies.

The path is metadata: the month folder gives the period; a meeting's minutes lie in
raw/meetings/ and their file name gives the meeting's day. Nothing here builds a path
from what a file says, and nothing is ever written into raw/.

A file the portal wrote has its receipt beside it (ingest/receipts.py). A receipt is
never a candidate itself; when it matches its file (bytes, size, kind and period of the
folder), the file's received time and submitter are the receipt's. A receipt that does
not match is not trusted: the file is taken as if dropped by hand, and the run says so.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from dagster_project.ingest.receipts import (
    RECEIPT_SUFFIX,
    Receipt,
    ReceiptInvalid,
    is_receipt,
    read_receipt,
)
from dagster_project.parse.guards import Limits
from dagster_project.parse.submission import (
    COUNTY_MONTHLY,
    COUNTY_WEEKLY,
    MEETING_MINUTES,
    STATISTICS,
)

_MONTH_DIR = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_DIR = re.compile(r"^(\d{4})-W(\d{2})$")
_STATISTICS_NAME = re.compile(r"统计局")
MEETINGS_DIR = "meetings"
# The meeting's day in a minutes file's name: 2026-11-10, 20261110, 2026年11月10日.
_MEETING_DAY = re.compile(r"(20\d{2})(?:[-_.年]?)(\d{1,2})(?:[-_.月]?)(\d{1,2})日?")
SKIPPED_DIRS = {"reference"}


@dataclass(frozen=True)
class Candidate:
    path: Path  # where it lies, to read it
    rel_path: str  # as text, for the manifest and the reports (see path_text)
    size: int
    # The trusted receipt's received_at, else the file's modification time; naive, in the
    # local time of the machine (datetime.fromtimestamp), as the manifest stores it.
    received_at: datetime
    kind: str | None  # None: the file is not where a submission belongs
    period_month: date | None
    period_week: date | None  # ISO week's Monday
    meeting_day: date | None = None  # meeting minutes: the day of the meeting
    misplaced_reason: str | None = None
    # Why the file is refused without reading a byte of it (too large, a link out of
    # raw/); None for a file to read.
    unread_reason: str | None = None
    # The portal's receipt, when it matches the file: its region_code is the submitter.
    receipt: Receipt | None = None
    # Why a receipt beside the file was not trusted (for the run's report).
    receipt_warning: str | None = None

    @property
    def name(self) -> str:
        return self.rel_path.rsplit("/", 1)[-1]

    @property
    def submitted_by(self) -> str | None:
        """The portal account that sent the file; None for a file dropped by hand."""
        return self.receipt.account if self.receipt else None

    @property
    def submitter(self) -> str | None:
        """The region the receipt fixes as the submitter; None: recognise it."""
        return self.receipt.region_code if self.receipt else None

    def file_sha256(self) -> str:
        """The digest of the file's bytes; for a file that is not read, of what is known of
        it (path, size, time), so that its refusal is recorded once while it stays."""
        if self.unread_reason is not None:
            seen = f"unread|{self.rel_path}|{self.size}|{self.received_at.isoformat()}"
            return hashlib.sha256(seen.encode()).hexdigest()
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def submission_id(self, file_sha256: str) -> str:
        """The same bytes in one period are one submission, however often they arrive;
        the same bytes sent for another period (a weekly list with nothing changed) are
        that period's submission."""
        period = self.period_month or self.period_week or self.meeting_day
        if period is None:
            return file_sha256
        return hashlib.sha256(f"{file_sha256}|{self.kind}|{period}".encode()).hexdigest()


def discover(raw_dir: Path, max_file_bytes: int = Limits().max_file_bytes) -> list[Candidate]:
    """Files under raw_dir in a stable order (received time, then name). A link to a file
    outside raw_dir, and a file larger than max_file_bytes, are refused unread. Receipts
    are not files to read: each only says of the file beside it (see _with_receipt)."""
    found = []
    root = raw_dir.resolve()
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if not path.is_file() or _ignored(rel) or is_receipt(rel):
            continue
        stat = path.stat()
        received = datetime.fromtimestamp(stat.st_mtime)
        cand = _classify(path, rel, stat.st_size, received)
        unread = None
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            unread = (
                f"文件“{cand.rel_path}”是指向raw目录之外的链接，不予读取；请把报送文件本身放入"
                "raw目录 [link out of raw/]"
            )
        elif stat.st_size > max_file_bytes:
            unread = (
                f"文件过大（{stat.st_size / 2**20:.1f} MB，上限 {max_file_bytes / 2**20:g} MB），"
                "请删除无关工作表、图片后重新保存报送 [file too large]"
            )
        found.append(replace(cand, unread_reason=unread) if unread else _with_receipt(cand))
    found.sort(key=lambda c: (c.received_at, c.rel_path))
    return found


def _with_receipt(cand: Candidate) -> Candidate:
    """The candidate with its receipt's received time and submitter when a receipt beside
    it matches it; unchanged (and the reason said) when one lies there but does not."""
    try:
        receipt = read_receipt(cand.path)
    except ReceiptInvalid as exc:
        return _untrusted(cand, exc.problem)
    if receipt is None:
        return cand
    period = _period_text(cand)
    if receipt.kind != cand.kind or receipt.period != period:
        lies_in = f"{cand.kind} {period}" if cand.kind else "no period folder"
        return _untrusted(
            cand, f"it is for {receipt.kind} {receipt.period}, the file lies in {lies_in}"
        )
    if receipt.size != cand.size:
        return _untrusted(
            cand, f"it is for {receipt.size} bytes, the file has {cand.size} (replaced?)"
        )
    if receipt.sha256 != cand.file_sha256():
        return _untrusted(cand, "its sha256 is not that of the file's bytes (replaced?)")
    # The same clock as a modification time: an instant as the machine's naive local time.
    received = datetime.fromtimestamp(receipt.received_at.timestamp())
    return replace(cand, received_at=received, receipt=receipt)


def _untrusted(cand: Candidate, problem: str) -> Candidate:
    receipt = cand.rel_path + RECEIPT_SUFFIX
    return replace(
        cand,
        receipt_warning=(
            f"receipt {receipt} not trusted for {cand.rel_path}: {problem}; the file counts as "
            "dropped by hand (received at its modification time, submitter from its name or "
            "title rows)"
        ),
    )


def _period_text(cand: Candidate) -> str | None:
    """The period as its folder is named: 2026-10, 2026-W44."""
    if cand.period_month is not None:
        return f"{cand.period_month:%Y-%m}"
    if cand.period_week is not None:
        year, week, _day = cand.period_week.isocalendar()
        return f"{year}-W{week:02d}"
    if cand.meeting_day is not None:
        return f"{cand.meeting_day:%Y-%m-%d}"
    return None


def path_text(rel: Path) -> str:
    """A path under raw/ as text. File names are bytes on Linux: one unpacked from a
    Windows zip is often in GBK, which is not UTF-8. Such a name is read as GB18030 when
    it decodes so, else kept with its undecodable bytes escaped (\\xb9); the file is read
    either way."""
    raw = os.fsencode(rel.as_posix())
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def find_by_text(raw_dir: Path, rel_text: str) -> Path | None:
    """The file under raw_dir whose path_text is `rel_text` (a name in GBK bytes is not
    found by its text)."""
    direct = raw_dir / rel_text
    if direct.is_file():
        return direct
    parent = (raw_dir / rel_text).parent
    if not parent.is_dir():
        return None
    for path in parent.iterdir():
        if path.is_file() and path_text(path.relative_to(raw_dir)) == rel_text:
            return path
    return None


def _ignored(rel: Path) -> bool:
    name = rel.name
    return (
        rel.parts[0] in SKIPPED_DIRS
        or any(p.startswith(".") for p in rel.parts)
        or name.startswith("~$")  # Excel's lock file while a workbook is open
        or name.lower().startswith("readme")
    )


def _classify(path: Path, rel: Path, size: int, received: datetime) -> Candidate:
    text = path_text(rel)
    top = text.split("/")[0] if "/" in text else ""
    common = dict(path=path, rel_path=text, size=size, received_at=received)
    if m := _MONTH_DIR.match(top):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            kind = (
                STATISTICS if _STATISTICS_NAME.search(text.rsplit("/", 1)[-1]) else COUNTY_MONTHLY
            )
            return Candidate(
                **common, kind=kind, period_month=date(year, month, 1), period_week=None
            )
    if top == MEETINGS_DIR:
        return _meeting_minutes(text, common)
    if m := _WEEK_DIR.match(top):
        year, week = int(m.group(1)), int(m.group(2))
        if 1 <= week <= 53:
            try:
                monday = date.fromisocalendar(year, week, 1)
            except ValueError:
                monday = None
            if monday:
                return Candidate(
                    **common, kind=COUNTY_WEEKLY, period_month=None, period_week=monday
                )
    return Candidate(
        **common,
        kind=None,
        period_month=None,
        period_week=None,
        misplaced_reason=(
            f"文件“{text}”不在报送期目录中：月报请放在 raw/YYYY-MM/，"
            "周报请放在 raw/YYYY-Www/，会议纪要请放在 raw/meetings/ [file outside a period folder]"
        ),
    )


def _meeting_minutes(text: str, common: dict) -> Candidate:
    """A file in raw/meetings/: the minutes of the meeting on the day its name gives."""
    name = text.rsplit("/", 1)[-1]
    for m in _MEETING_DAY.finditer(name):
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        return Candidate(
            **common, kind=MEETING_MINUTES, period_month=None, period_week=None, meeting_day=day
        )
    return Candidate(
        **common,
        kind=MEETING_MINUTES,
        period_month=None,
        period_week=None,
        misplaced_reason=(
            f"会议纪要“{text}”的文件名没有会议日期：请按“2026-11-10_协调推进会议纪要.xlsx”"
            "命名后重新放入 raw/meetings/ [no meeting day in the file name]"
        ),
    )
