"""The Chinese labels of periods, as every published output writes them."""

from __future__ import annotations

from datetime import date


def month_label(month: date) -> str:
    """2026年10月"""
    return f"{month.year}年{month.month}月"


def week_label(monday: date) -> str:
    """The ISO week of `monday`, as weekly folders are named: 2026-W43."""
    year, week, _ = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week(label: str) -> date:
    """The Monday of an ISO week label (2026-W43)."""
    year, week = label.upper().split("-W")
    return date.fromisocalendar(int(year), int(week), 1)
