"""What is in raw/: every file with its period and kind, read from where it lies.

The path is metadata: the month folder gives the period. Nothing here builds a path
from what a file says, and nothing is ever written into raw/.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY, STATISTICS

_MONTH_DIR = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_DIR = re.compile(r"^(\d{4})-W(\d{2})$")
_STATISTICS_NAME = re.compile(r"统计局")
SKIPPED_DIRS = {"reference"}


@dataclass(frozen=True)
class Candidate:
    path: Path
    rel_path: str
    size: int
    received_at: datetime  # the file's modification time
    kind: str | None  # None: the file is not where a submission belongs
    period_month: date | None
    period_week: date | None  # ISO week's Monday
    misplaced_reason: str | None = None

    def submission_id(self, file_sha256: str) -> str:
        """The same bytes in one period are one submission, however often they arrive;
        the same bytes sent for another period (a weekly list with nothing changed) are
        that period's submission."""
        period = self.period_month or self.period_week
        if period is None:
            return file_sha256
        return hashlib.sha256(f"{file_sha256}|{self.kind}|{period}".encode()).hexdigest()


def discover(raw_dir: Path) -> list[Candidate]:
    """Files under raw_dir in a stable order (received time, then name)."""
    found = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if not path.is_file() or _ignored(rel):
            continue
        stat = path.stat()
        received = datetime.fromtimestamp(stat.st_mtime)
        found.append(_classify(path, rel, stat.st_size, received))
    found.sort(key=lambda c: (c.received_at, c.rel_path))
    return found


def _ignored(rel: Path) -> bool:
    name = rel.name
    return (
        rel.parts[0] in SKIPPED_DIRS
        or any(p.startswith(".") for p in rel.parts)
        or name.startswith("~$")  # Excel's lock file while a workbook is open
        or name.lower().startswith("readme")
    )


def _classify(path: Path, rel: Path, size: int, received: datetime) -> Candidate:
    top = rel.parts[0] if len(rel.parts) > 1 else ""
    common = dict(path=path, rel_path=rel.as_posix(), size=size, received_at=received)
    if m := _MONTH_DIR.match(top):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            kind = STATISTICS if _STATISTICS_NAME.search(rel.name) else COUNTY_MONTHLY
            return Candidate(
                **common, kind=kind, period_month=date(year, month, 1), period_week=None
            )
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
            f"文件“{rel.as_posix()}”不在报送期目录中：月报请放在 raw/YYYY-MM/，"
            "周报请放在 raw/YYYY-Www/ [file outside a period folder]"
        ),
    )
