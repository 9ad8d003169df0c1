"""The 报送进度 board (SPEC §9): for a period, every submitter × list and the statistics
bureau's file — submitted or not, when, errors outstanding, late against the deadline —
and the 催报 reminders to the late ones, through the county reports' mail path and send
log (a reminder goes once per submitter, period and day, however often it is asked for).

Deadlines: a month's lists are due by the end of the 5th of the following month
(XMK_SUBMISSION_DAY changes the day, as for the county reports); a week's 已开工未入统
return by Monday 12:00 of the week after (XMK_WEEKLY_DEADLINE, e.g. `tue 09:30`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from dagster_project.contract import LISTS
from dagster_project.ingest.reference import load_regions
from dagster_project.parse.submission import COUNTY_MONTHLY, COUNTY_WEEKLY, STATISTICS
from dagster_project.portal.landing import Period
from dagster_project.portal.uploads import CONFIRMED, Upload
from dagster_project.portal.views import WarehouseState
from dagster_project.publish.county_report.guidance import (
    CENTRE,
    resubmission_deadline,
    submission_day,
)
from dagster_project.publish.mail import (
    KEY_HEADER,
    REGION_HEADER,
    SmtpSettings,
    contact_addresses,
    deliver,
    message_id,
    send_log_path,
)
from dagster_project.settings import BEIJING

WEEKLY_LIST = "unstated"  # the 已开工未入统 list, also sent weekly


@dataclass
class Cell:
    received_at: datetime | None = None
    errors: int = 0
    warnings: int = 0

    @property
    def submitted(self) -> bool:
        return self.received_at is not None


@dataclass
class BoardRow:
    region_code: str
    region_name: str
    rank_group: str
    contact: str
    cells: dict[str, Cell] = field(default_factory=dict)  # list_key -> cell
    portal_pending: datetime | None = None  # confirmed in the portal, not read by a run yet
    exempted: str | None = None
    state: str = ""  # on_time | late_submitted | missing | late_missing | exempted
    state_zh: str = ""

    @property
    def errors(self) -> int:
        return sum(c.errors for c in self.cells.values())

    @property
    def last_received(self) -> datetime | None:
        times = [c.received_at for c in self.cells.values() if c.received_at]
        times += [self.portal_pending] if self.portal_pending else []
        return max(times) if times else None

    @property
    def late(self) -> bool:
        return self.state == "late_missing"

    def public(self) -> dict:
        return {
            "region_code": self.region_code,
            "region_name": self.region_name,
            "rank_group": self.rank_group,
            "state": self.state,
            "state_zh": self.state_zh,
            "late": self.late,
            "errors_outstanding": self.errors,
            "last_received_at": _iso(self.last_received),
            "portal_pending_at": _iso(self.portal_pending),
            "exempted": self.exempted,
            "lists": {
                key: {
                    "submitted": c.submitted,
                    "received_at": _iso(c.received_at),
                    "errors": c.errors,
                    "warnings": c.warnings,
                }
                for key, c in self.cells.items()
            },
        }


@dataclass
class Board:
    period: Period
    deadline: datetime
    columns: list[tuple[str, str]]  # (list_key, title)
    rows: list[BoardRow]
    statistics: Cell
    read_at: datetime | None
    busy: bool

    @property
    def deadline_text(self) -> str:
        """The deadline as a clerk says it: a day's end is that day, not the next 00:00."""
        if self.deadline.time() == time(0, 0):
            last = self.deadline - timedelta(days=1)
            return f"{last:%Y年%-m月%-d日}（含当日）"
        return f"{self.deadline:%Y年%-m月%-d日 %H:%M}"

    @property
    def late_rows(self) -> list[BoardRow]:
        return [r for r in self.rows if r.late]

    def public(self) -> dict:
        return {
            "period": self.period.text,
            "deadline": _iso(self.deadline),
            "lists": [{"list_key": k, "title": t} for k, t in self.columns],
            "rows": [r.public() for r in self.rows],
            "statistics_file": {
                "submitted": self.statistics.submitted,
                "received_at": _iso(self.statistics.received_at),
            },
            "late": [r.region_code for r in self.late_rows],
            "warehouse_read_at": _iso(self.read_at),
            "warehouse_busy": self.busy,
        }


def deadline(period: Period, weekly_deadline: tuple[int, time], environ=None) -> datetime:
    """When the period's lists are due (Beijing time): late from then on."""
    if period.week is None:
        due = resubmission_deadline(period.month, submission_day(environ))
        return datetime.combine(due + timedelta(days=1), time(0, 0), BEIJING)
    weekday, at = weekly_deadline
    return datetime.combine(period.week + timedelta(days=7 + weekday), at, BEIJING)


def board(
    period: Period,
    state: WarehouseState,
    uploads: list[Upload],
    raw_dir: Path,
    weekly_deadline: tuple[int, time],
    at: datetime | None = None,
) -> Board:
    at = at or datetime.now(BEIJING)
    regions, _ = load_regions(raw_dir)
    due = deadline(period, weekly_deadline)
    if period.week is None:
        columns = [(lst.key, lst.title) for lst in LISTS]
        kind = COUNTY_MONTHLY
    else:
        columns = [(lst.key, lst.title) for lst in LISTS if lst.key == WEEKLY_LIST]
        kind = COUNTY_WEEKLY
    sent: dict[tuple[str, str], Cell] = {}
    for row in state.lists:
        if row["kind"] != kind or not _same_period(row, period):
            continue
        cell = sent.setdefault((row["region_code"], row["list_key"]), Cell())
        received = _aware(row["received_at"])
        cell.received_at = max(filter(None, (cell.received_at, received)))
        errors, warnings = state.list_failures.get((row["submission_id"], row["list_key"]), (0, 0))
        cell.errors += errors
        cell.warnings += warnings
    exempt = {
        c["region_code"]: c.get("exemption_reason")
        for c in state.completeness
        if c.get("is_exempted") and c["period_month"] == period.month and period.week is None
    }
    pending = {}
    landed = {m["file_sha256"] for m in state.manifest}
    for u in uploads:
        if u.status == CONFIRMED and u.period == period.text and u.sha256 not in landed:
            when = datetime.fromisoformat(u.confirmed_at)
            pending[u.region_code] = max(pending.get(u.region_code, when), when)
    rows = []
    for region in regions:
        code = region["region_code"]
        row = BoardRow(
            code,
            region["region_name"],
            region.get("rank_group") or "",
            region.get("contact_email") or "",
            {key: sent.get((code, key), Cell()) for key, _ in columns},
            pending.get(code),
            exempt.get(code),
        )
        row.state, row.state_zh = _row_state(row, due, at)
        rows.append(row)
    statistics = Cell()
    if period.week is None:
        for m in state.manifest:
            if m["kind"] == STATISTICS and m["status"] == "loaded" and _same_period(m, period):
                statistics.received_at = _aware(m["received_at"])
    return Board(period, due, columns, rows, statistics, state.read_at, state.busy)


def _row_state(row: BoardRow, due: datetime, at: datetime) -> tuple[str, str]:
    if row.exempted:
        return "exempted", f"已豁免（{row.exempted}）"
    last = row.last_received
    if last is None:
        return ("late_missing", "逾期未报") if at >= due else ("missing", "未报送")
    if last >= due:
        return "late_submitted", "逾期报送"
    return "on_time", "按时报送"


def _same_period(row: dict, period: Period) -> bool:
    if period.week is not None:
        return row.get("period_week") == period.week
    return row.get("period_month") == period.month


def _aware(value: datetime | None) -> datetime | None:
    """The warehouse keeps received times as naive timestamps in the machine's zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(BEIJING)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


# --------------------------------------------------------------------------- 催报


@dataclass(frozen=True)
class ReminderResult:
    sent: list[str]  # region codes mailed now (or written to the outbox)
    already: list[str]  # reminded before today for this period: not again
    no_address: list[str]
    failed: list[str]


def reminder_key(region_code: str, period: Period, day: date) -> str:
    return f"remind_{region_code}_{period.text}_{day:%Y%m%d}"


def reminder(row: BoardRow, brd: Board, day: date, sender: str) -> EmailMessage:
    key = reminder_key(row.region_code, brd.period, day)
    msg = EmailMessage()
    msg["Subject"] = f"【项目库】催报：{row.region_name}{brd.period.label}项目清单尚未报送"
    msg["From"] = sender
    to = contact_addresses({"contact_email": row.contact})
    if to:
        msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(key)
    msg[KEY_HEADER] = key
    msg[REGION_HEADER] = row.region_code
    missing = [title for k, title in brd.columns if not row.cells[k].submitted]
    msg.set_content(
        "\n".join(
            [
                f"{row.region_name}（{row.region_code}）：",
                "",
                f"贵单位{brd.period.label}的项目清单报送期限为{brd.deadline_text}，至今尚未收到：",
                *[f"  {t}" for t in missing],
                "",
                "请尽快登录项目库报送系统上传并确认报送。",
                f"{CENTRE}",
                "本邮件由项目库系统发送，请勿直接回复。",
            ]
        )
        + "\n"
    )
    return msg


def send_reminders(
    brd: Board, codes: list[str] | None, out_dir: Path, environ=None, day: date | None = None
) -> ReminderResult:
    """Remind the late submitters (or those of `codes` among them); each once per day."""
    environ = os.environ if environ is None else environ
    day = day or datetime.now(BEIJING).date()
    settings = SmtpSettings.from_env(environ)
    sender = settings.sender if settings else "项目库 <xmk@localhost>"
    targets = [r for r in brd.late_rows if codes is None or r.region_code in codes]
    outbox = out_dir / "outbox"
    by_key = {reminder_key(r.region_code, brd.period, day): r.region_code for r in targets}
    messages, already = [], []
    for r in targets:
        msg = reminder(r, brd, day, sender)
        # Without SMTP the outbox is the log: a reminder written there went.
        if settings is None and (outbox / f"{msg[KEY_HEADER]}.eml").exists():
            already.append(r.region_code)
        else:
            messages.append(msg)
    report = deliver(messages, settings, outbox, send_log_path(out_dir))
    no_address = [
        r.region_code for r in targets if not contact_addresses({"contact_email": r.contact})
    ]
    return ReminderResult(
        sent=[by_key[k] for k in report.sent] + [by_key[p.stem] for p in report.written],
        already=already + [by_key[k] for k in report.already_sent],
        no_address=no_address,
        failed=[by_key[f.key] for f in report.undelivered]
        + [by_key[h.key] for h in report.held if h.key in by_key],
    )
