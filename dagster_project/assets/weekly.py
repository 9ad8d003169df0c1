"""已开工未入统 周调度 (二(二), 三(二)): every Monday, each county gets the list of its
projects that have started but are not yet in the fixed-asset-investment statistics
(publish/weekly_list.py writes them, from the marts in its READS).
"""

import dagster as dg

from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.publish import weekly_list
from dagster_project.publish.render.labels import parse_week, week_label
from dagster_project.resources import XmkSettings

WEEKLY_GROUP = "weekly"
WEEKLY_LISTS_KEY = dg.AssetKey(["weekly", "unstated_dispatch_lists"])
UNSTATED_WEEKLY_KEY = dg.AssetKey(["marts", "fct_unstated_weekly"])


class WeeklyListsConfig(dg.Config):
    week: str | None = None  # "2026-W43"; default: the latest week with returns


@dg.asset(
    key=WEEKLY_LISTS_KEY,
    deps=[dg.AssetKey(["marts", mart]) for mart in weekly_list.READS],
    group_name=WEEKLY_GROUP,
    kinds={"python", "excel"},
    # Reads the warehouse: it must not open it while another step writes.
    pool="duckdb",
    description="已开工未入统项目周调度清单：每个地区一份 .xlsx，列出最新一周已开工尚未入统的项目 "
    "(each county's weekly list of its started projects not yet in the statistics), "
    "out/weekly/<YYYY-Www>/",
)
def unstated_dispatch_lists(
    context: dg.AssetExecutionContext, settings: XmkSettings, config: WeeklyListsConfig
) -> dg.MaterializeResult:
    paths = settings.paths()
    week = parse_week(config.week) if config.week else None
    with warehouse_lock(
        paths.warehouse_db,
        f"weekly lists ({context.run.run_id})",
        write=False,
        log=context.log.info,
    ):
        con = connect_warehouse(paths.warehouse_db, read_only=True)
        try:
            week, lists = weekly_list.read_region_lists(con, week)
        finally:
            con.close()
    if week is None:
        context.log.info("no weekly 已开工未入统 returns yet: nothing to write")
        return dg.MaterializeResult(metadata={"files": 0})
    written = weekly_list.write_week(paths.out_dir, week, lists)
    return dg.MaterializeResult(
        metadata={
            "week": week_label(week),
            "folder": dg.MetadataValue.path(str(weekly_list.week_dir(paths.out_dir, week))),
            "files": len(written),
            "projects": sum(len(rl.rows) for rl in lists),
            "past_expected_entry": sum(rl.past_expected for rl in lists),
            "by_region": {f"{rl.region_code} {rl.region_name}": len(rl.rows) for rl in lists},
        }
    )
