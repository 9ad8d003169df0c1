"""When things run by themselves (SPEC §5), on Beijing time.

They start RUNNING: the project centre runs this every night without anyone watching, so
`dagster dev` (its daemon) follows them as soon as it is up.
"""

import dagster as dg

from dagster_project.jobs import publish_job, weekly_unstated_job

TIMEZONE = "Asia/Shanghai"

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_at_0200",
    cron_schedule="0 2 * * *",
    job_name="nightly",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00: the full materialisation (ingest, check, build, publish).",
)

weekly_unstated_schedule = dg.ScheduleDefinition(
    name="weekly_unstated_monday_0800",
    cron_schedule="0 8 * * 1",
    job=weekly_unstated_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Mondays at 08:00: 已开工未入统 周调度, each county's list of the week.",
)

monthly_bulletin_schedule = dg.ScheduleDefinition(
    name="monthly_bulletin_10th_0900",
    cron_schedule="0 9 10 * *",
    job=publish_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The 10th of each month at 09:00: publish the 擂台 bulletin (三(三) 通报), "
    "once the statistics bureau's figures and the counties' returns are in.",
)

schedules = [nightly_schedule, weekly_unstated_schedule, monthly_bulletin_schedule]
