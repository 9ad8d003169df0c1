"""The schedules (SPEC §5): when each fires, on Beijing time, and which job it starts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from dagster_project.schedules import (
    TIMEZONE,
    monthly_bulletin_schedule,
    nightly_schedule,
    schedules,
    weekly_unstated_schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_ticks(schedule: dg.ScheduleDefinition, after: datetime, n: int = 3) -> list[datetime]:
    ticks = cron_string_iterator(
        after.timestamp(), schedule.cron_schedule, schedule.execution_timezone
    )
    return [next(ticks).astimezone(SHANGHAI).replace(tzinfo=None) for _ in range(n)]


AFTER = datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)  # a Friday


def test_every_schedule_runs_on_beijing_time_and_starts_by_itself():
    assert TIMEZONE == "Asia/Shanghai"
    for schedule in schedules:
        assert schedule.execution_timezone == "Asia/Shanghai"
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_nightly_runs_the_nightly_job_at_two_every_night():
    assert nightly_schedule.job_name == "nightly"
    assert next_ticks(nightly_schedule, AFTER) == [
        datetime(2026, 11, 28, 2, 0),
        datetime(2026, 11, 29, 2, 0),
        datetime(2026, 11, 30, 2, 0),
    ]


def test_weekly_unstated_dispatch_runs_on_monday_mornings():
    assert weekly_unstated_schedule.job_name == "weekly_unstated"
    ticks = next_ticks(weekly_unstated_schedule, AFTER)
    assert ticks == [datetime(2026, 11, 30, 8), datetime(2026, 12, 7, 8), datetime(2026, 12, 14, 8)]
    assert {t.isoweekday() for t in ticks} == {1}


def test_bulletin_is_published_on_the_tenth_of_each_month():
    assert monthly_bulletin_schedule.job_name == "publish"
    assert next_ticks(monthly_bulletin_schedule, AFTER) == [
        datetime(2026, 12, 10, 9),
        datetime(2027, 1, 10, 9),
        datetime(2027, 2, 10, 9),
    ]


@pytest.mark.parametrize("schedule", schedules, ids=lambda s: s.name)
def test_a_tick_requests_one_run_of_its_job(schedule):
    when = datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)
    context = dg.build_schedule_context(scheduled_execution_time=when)
    result = schedule.evaluate_tick(context)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].job_name in (None, schedule.job_name)
