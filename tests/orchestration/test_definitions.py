"""The jobs, schedules and sensor load with the code location, and each job selects what
it is for."""

from __future__ import annotations

import dagster as dg
import pytest

from dagster_project.assets.weekly import unstated_dispatch_lists
from dagster_project.jobs import ingest_job, publish_job, weekly_unstated_job
from dagster_project.schedules import schedules
from dagster_project.sensors import raw_files_sensor


@pytest.fixture(scope="module")
def location(dbt_manifest) -> dg.Definitions:
    """definitions.py with the orchestration (merged in until it lists it itself)."""
    from dagster_project.definitions import defs

    if any(getattr(job, "name", None) == "weekly_unstated" for job in defs.jobs or []):
        return defs
    return dg.Definitions.merge(
        defs,
        dg.Definitions(
            assets=[unstated_dispatch_lists],
            jobs=[ingest_job, weekly_unstated_job, publish_job],
            schedules=schedules,
            sensors=[raw_files_sensor],
        ),
    )


def selected(location, job_name: str) -> set[str]:
    job = location.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def test_the_location_loads(location):
    dg.Definitions.validate_loadable(location)


def test_every_schedule_and_the_sensor_target_a_job_of_the_location(location):
    repo = location.get_repository_def()
    for schedule in repo.schedule_defs:
        assert repo.has_job(schedule.job_name)
    assert repo.has_sensor_def("raw_files")
    assert repo.get_sensor_def("raw_files").job_name == "ingest"


def test_the_ingest_job_loads_checks_and_builds_but_publishes_nothing(location):
    keys = selected(location, "ingest")
    assert {"raw/manifest", "quality/dq_failures", "marts/fct_region_monthly"} <= keys
    assert not any(k.startswith(("publish/", "weekly/")) for k in keys)


def test_the_weekly_job_builds_the_unstated_tracking_and_the_county_lists(location):
    keys = selected(location, "weekly_unstated")
    assert {"raw/unstated", "marts/fct_unstated_weekly", "weekly/unstated_dispatch_lists"} <= keys
    assert "marts/fct_region_monthly" not in keys
    assert not any(k.startswith("publish/") for k in keys)


def test_the_publish_job_is_the_publish_group(location):
    keys = selected(location, "publish")
    assert "publish/bulletin" in keys
    assert all(k.startswith("publish/") for k in keys)
