"""A confirmed upload lands in raw/<period>/ with its receipt (SPEC §2, §9).

The name is the server's: region code and name from the regions reference, the server's
clock, a digest prefix, and the extension of the format the guards found — nothing the
user typed. The receipt is written first and the file second, each atomically (a hidden
temporary file in the same folder, then a rename), so the sensor never sees a half-written
workbook, and a workbook it sees always has its receipt beside it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from dagster_project.ingest.receipts import Receipt, receipt_path, write_receipt
from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY
from dagster_project.publish.render.files import safe_file_name

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A period that is neither YYYY-MM nor YYYY-Www; str(exc) says so in Chinese."""


@dataclass(frozen=True)
class Period:
    text: str  # the raw/ folder: 2026-10 or 2026-W44
    kind: str  # county_monthly | county_weekly
    month: date  # the month it is reported in (a week's: the month of its Thursday)
    week: date | None  # a week's Monday

    @property
    def label(self) -> str:
        if self.week is None:
            return f"{self.month.year}年{self.month.month}月"
        year, number, _ = self.week.isocalendar()
        return f"{year}年第{number}周（{self.week:%-m月%-d日}起）"


def parse_period(text: str) -> Period:

    text = (text or "").strip()
    if (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        return Period(text, COUNTY_MONTHLY, date(int(m.group(1)), int(m.group(2)), 1), None)
    if m := _WEEK.match(text):
        try:
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            monday = None
        if monday is not None:
            month = (monday + timedelta(days=3)).replace(day=1)
            return Period(text, COUNTY_WEEKLY, month, monday)
    raise PeriodError(f"报送期“{text[:20]}”无法识别：月报写 2026-10，周报写 2026-W44 [bad period]")


def server_name(region: dict, period: Period, received_at: datetime, sha256: str, ext: str) -> str:
    parts = [region["region_code"], region["region_name"]]
    if period.kind == COUNTY_WEEKLY:
        parts.append("已开工未入统")
    parts += [f"{received_at:%Y%m%dT%H%M%S}", sha256[:8]]
    return safe_file_name("_".join(parts)) + ext


def land(
    raw_dir: Path,
    region: dict,
    account: str,
    period: Period,
    data: bytes,
    sha256: str,
    ext: str,
    received_at: datetime,
) -> Path:
    """Write `data` into raw/<period>/ under the server's name, receipt first."""
    folder = raw_dir / period.text
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / server_name(region, period, received_at, sha256, ext)
    receipt = Receipt(
        account=account,
        region_code=region["region_code"],
        period=period.text,
        kind=period.kind,
        sha256=sha256,
        size=len(data),
        received_at=received_at,
    )
    write_receipt(target, receipt)
    try:
        _write_atomically(target, data)
    except BaseException:
        receipt_path(target).unlink(missing_ok=True)
        raise
    return target


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
