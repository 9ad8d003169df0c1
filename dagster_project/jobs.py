"""The jobs the schedules and the sensor start, besides `nightly` (everything).

Assets are chosen by group, so that an asset added to a group later joins its job.
"""

import dagster as dg

from dagster_project.assets.publishing import PUBLISH_GROUP
from dagster_project.assets.weekly import WEEKLY_GROUP, WEEKLY_LISTS_KEY

ingest_job = dg.define_asset_job(
    "ingest",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(PUBLISH_GROUP, WEEKLY_GROUP),
    description="New files in raw/: load them, check them and rebuild the marts. Publication "
    "(bulletin, snapshot) and the weekly lists keep their own schedules.",
)

weekly_unstated_job = dg.define_asset_job(
    "weekly_unstated",
    # Upstream of the lists: fct_unstated_weekly, the models and seeds it reads, and the
    # ingestion, which loads every raw table in one step.
    selection=dg.AssetSelection.assets(WEEKLY_LISTS_KEY)
    .upstream()
    .required_multi_asset_neighbors(),
    description="已开工未入统 周调度 (二(二), 三(二)): load the weekly returns, rebuild "
    "fct_unstated_weekly and what it needs, and write each county's list of its started "
    "projects not yet in the statistics.",
)

publish_job = dg.define_asset_job(
    "publish",
    selection=dg.AssetSelection.groups(PUBLISH_GROUP),
    description="擂台 bulletin and the other publications (the assets of group `publish`).",
)
