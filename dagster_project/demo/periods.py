"""Months as integers (year * 12 + month - 1) so that the simulation can add and compare
them, and the calendar facts the demo needs: month ends, ISO weeks, received times."""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, timedelta, timezone

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact and
# does not depend on the machine's time-zone database.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def month_start(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def month_end(m: int) -> date:
    start = month_start(m)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def year_of(m: int) -> int:
    return m // 12


def calendar_month(m: int) -> int:
    """1..12"""
    return m % 12 + 1


def month_folder(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def iso_weeks(first: int, last: int) -> list[date]:
    """The Mondays that fall in months first..last (inclusive)."""
    day = month_start(first)
    day += timedelta(days=(7 - day.weekday()) % 7)
    mondays = []
    while month_index(day) <= last:
        mondays.append(day)
        day += timedelta(days=7)
    return mondays


def week_folder(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def monthly_received(seed: int, code: str, m: int) -> datetime:
    """A county sends month m's workbook on day 3-8 of the next month, in office hours;
    each submitter keeps its own habit of early or late sending."""
    habit = random.Random(f"{seed}:{code}:habit").randint(0, 3)
    rng = random.Random(f"{seed}:{code}:{m}:received")
    nxt = month_start(m + 1)
    day = 3 + min(5, habit + rng.randint(0, 2))
    return datetime(
        nxt.year,
        nxt.month,
        day,
        rng.randint(9, 16),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=SHANGHAI,
    )


def weekly_received(seed: int, code: str, monday: date) -> datetime:
    """Weekly 已开工未入统 returns arrive on the Tuesday after the week."""
    rng = random.Random(f"{seed}:{code}:{monday.isoformat()}:weekly")
    tuesday = monday + timedelta(days=8)
    return datetime(
        tuesday.year,
        tuesday.month,
        tuesday.day,
        rng.randint(9, 11),
        rng.randint(0, 59),
        tzinfo=SHANGHAI,
    )
