"""Data quality (SPEC §4): the Great Expectations suites of `expectations/` and the
cross-month checks over the loaded lists.

* `quality/dq_failures` brings `quality.dq_failures` up to date — every failure of the
  submissions in force, validating only new submissions — for dbt's `fct_dq_failures`
  and the county reports.
* One asset check per raw list shows in the UI how that list's latest month stands.
* The validations `quality/dq_failures` ran are kept and rendered as GX's Data Docs,
  `<out>/data_docs/index.html` (quality/data_docs.py); its materialization links there.

The checks do not block: a blocking check failing on a raw list would stop everything
downstream of it in the run — `quality/dq_failures` and the whole dbt build — so the
counties would get no report precisely when they have errors to fix. The publication
gate acts on the published reports instead.
"""

from collections import Counter
from datetime import date
from pathlib import Path

import dagster as dg

from dagster_project.assets.ingestion import raw_asset_key
from dagster_project.assets.publishing import DQ_FAILURES_MART
from dagster_project.contract import LISTS
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock
from dagster_project.quality.data_docs import DataDocs, build_data_docs, index_path
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.list_rows import latest_report_month
from dagster_project.quality.refresh import refresh_failures
from dagster_project.resources import XmkSettings

QUALITY_GROUP = "quality"
DQ_FAILURES_KEY = dg.AssetKey(["quality", "dq_failures"])
CHECK_NAME = "data_quality"


@dg.asset(
    key=DQ_FAILURES_KEY,
    deps=[raw_asset_key(lst.key) for lst in LISTS] + [raw_asset_key("effective_submission_lists")],
    group_name=QUALITY_GROUP,
    kinds={"duckdb", "python"},
    # DuckDB has one writer: runs that write the warehouse never overlap.
    pool="duckdb",
    description="数据质量问题：每个未通过规则的单元格一行，含文件、工作表、行、列、规则、"
    "严重程度与修改建议 (every failure of the expectation suites and cross-month checks "
    "in the submissions in force)",
)
def dq_failures(context: dg.AssetExecutionContext, settings: XmkSettings) -> dg.MaterializeResult:
    paths = settings.paths()
    db_path = paths.warehouse_db
    purpose = f"data-quality checks ({context.op_execution_context.run_id})"
    with warehouse_lock(db_path, purpose, log=context.log.info):
        refresh = refresh_failures(db_path)
        con = connect_warehouse(db_path, read_only=True)
        try:
            latest = latest_report_month(con)
            names = dict(con.execute("select region_code, region_name from raw.regions").fetchall())
        finally:
            con.close()
    failures = refresh.failures
    errors = sum(f.is_error for f in failures)
    context.log.info(
        f"{len(failures)} failures, {errors} errors; {refresh.validated} submission lists "
        f"validated, {refresh.kept} unchanged since the last run"
    )
    # Once per run, after all lists; a run that validated nothing leaves the site as is.
    # The docs only show what the table already holds: a failure to build them must not
    # stop the night (dbt, the gate, the county reports).
    docs, docs_error = None, {}
    if refresh.validations:
        run_id = context.op_execution_context.run_id
        try:
            docs = build_data_docs(paths.out_dir, run_id, refresh.validations)
            context.log.info(f"Data Docs: {docs.index}")
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
            context.log.warning(f"Data Docs not built for this run's validations: {problem}")
            docs_error = {"data_docs_error": problem}
    in_latest = [f for f in failures if f.period_month == latest]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(failures),
            "submission_lists_validated": refresh.validated,
            "submission_lists_unchanged": refresh.kept,
            "errors": errors,
            "warnings": len(failures) - errors,
            "latest_month": str(latest),
            "latest_month_errors": sum(f.is_error for f in in_latest),
            "latest_month_by_rule": _by_rule(in_latest),
            "latest_month_by_region": dg.MetadataValue.md(_region_table(in_latest, names)),
            **_data_docs_links(index_path(paths.out_dir), docs),
            **docs_error,
        }
    )


def _data_docs_links(index: Path, docs: DataDocs | None) -> dict:
    """The Data Docs index (once a run has built it) and this run's page of each list
    validated (one per chunk of submissions)."""
    if not index.exists():
        return {}
    links = {
        "data_docs": dg.MetadataValue.url(index.as_uri()),
        "data_docs_index": dg.MetadataValue.path(str(index)),
    }
    if not docs:
        return links
    titles = {lst.key: lst.title for lst in LISTS}
    rows = ["| 清单 list | 本次校验 this run's validation |", "| --- | --- |"]
    for key, pages in docs.pages.items():
        for i, page in enumerate(pages, 1):
            name = f"data_docs_{key}" + (f"_{i}" if len(pages) > 1 else "")
            links[name] = dg.MetadataValue.url(page.as_uri())
        pages_md = "、".join(f"[{page.stem}]({page.as_uri()})" for page in pages)
        rows.append(f"| {titles[key]} {key} | {pages_md} |")
    links["data_docs_validations"] = dg.MetadataValue.md("\n".join(rows))
    return links


def _list_check(list_key: str, title: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(list_key),
        name=CHECK_NAME,
        description=f"{title}：最新报送月的数据质量问题（marts.fct_dq_failures，与发布闸门同一口径）；"
        "有错误级问题时失败 (fails when an error-severity failure remains in the list's latest "
        "month; warnings alone pass and are counted)",
        blocking=False,
        # Read once dbt has gathered every kind of failure (the suites' and the SQL rules',
        # unreadable cells, refused files), where the gate counts them.
        additional_deps=[DQ_FAILURES_MART],
        pool="duckdb",
    )
    def check(context: dg.AssetCheckExecutionContext, settings: XmkSettings) -> dg.AssetCheckResult:
        db_path = settings.paths().warehouse_db
        purpose = f"{list_key} data-quality check ({context.op_execution_context.run_id})"
        with warehouse_lock(db_path, purpose, write=False, log=context.log.info):
            con = connect_warehouse(db_path, read_only=True)
            try:
                latest = latest_report_month(con, list_key)
                counts = [] if latest is None else list_failure_counts(con, list_key, latest)
            finally:
                con.close()
        return list_check_result(counts, latest)

    return check


def list_failure_counts(con, list_key: str, month: date) -> list[tuple[str, str, str, int]]:
    """(region, rule, severity, count) of the list's failures in `month`."""
    return con.execute(
        f"""select coalesce(region_code, '(unknown)'), rule, severity, count(*)
            from "{DQ_FAILURES_MART.path[0]}"."{DQ_FAILURES_MART.path[1]}"
            where list_key = ? and period_month = ?
            group by all order by all""",
        [list_key, month],
    ).fetchall()


def list_check_result(
    counts: list[tuple[str, str, str, int]], month: date | None
) -> dg.AssetCheckResult:
    errors = sum(n for _region, _rule, severity, n in counts if severity == "error")
    warnings = sum(n for _region, _rule, severity, n in counts if severity != "error")
    by_rule: Counter = Counter()
    by_region: dict[str, Counter] = {}
    for region, rule, severity, n in counts:
        by_rule[f"{rule} ({severity})"] += n
        by_region.setdefault(region, Counter())[severity == "error"] += n
    return dg.AssetCheckResult(
        passed=errors == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "month": str(month),
            "errors": errors,
            "warnings": warnings,
            "by_rule": dict(sorted(by_rule.items())),
            "by_region": {
                region: f"{c[True]} errors, {c[False]} warnings"
                for region, c in sorted(by_region.items())
            },
        },
    )


def _by_rule(failures: list[ListFailure]) -> dict[str, int]:
    return dict(sorted(Counter(f"{f.rule} ({f.severity})" for f in failures).items()))


def _by_region(failures: list[ListFailure]) -> dict[str, Counter]:
    regions: dict[str, Counter] = {}
    for f in failures:
        regions.setdefault(f.region_code or "(unknown)", Counter())[f.is_error] += 1
    return regions


def _region_table(failures: list[ListFailure], names: dict[str, str]) -> str:
    lines = ["| 地区 region | 错误 errors | 警告 warnings |", "| --- | ---: | ---: |"]
    for region, counts in sorted(_by_region(failures).items()):
        label = f"{names.get(region, '')} {region}".strip()
        lines.append(f"| {label} | {counts[True]} | {counts[False]} |")
    return "\n".join(lines)


list_checks = [_list_check(lst.key, lst.title) for lst in LISTS]
