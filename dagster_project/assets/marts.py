"""dbt: raw → staging → intermediate → marts → reports, as one @dbt_assets running
`dbt build`. Each dbt test becomes an asset check of the model it tests.

A build whose inputs, code and command line are those of the last good build is skipped
(dagster_project/dbt/build_state.py): the marts already hold what it would write. Else
the month-grained models rebuild the months whose inputs changed (dbt_project/macros/
rebuild_window.sql), with the code of the last good build; other code, or no good build
on record, rebuilds everything (`dbt build --full-refresh`), unit tests included."""

import os
import subprocess
import tempfile
from graphlib import TopologicalSorter
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.dbt.build_state import (
    BuildState,
    CheckOutcome,
    build_fingerprint,
    code_digest,
    forget_build,
    inputs_digest,
    is_unchanged,
    last_build,
    project_digest,
    record_build,
    source_schemas,
)
from dagster_project.dbt.commands import dbt_build_args, dbt_environment
from dagster_project.dbt.project import xmk_dbt_project
from dagster_project.dbt.translator import XmkDbtTranslator
from dagster_project.orchestration.preflight import permanent_line
from dagster_project.orchestration.warehouse_lock import connect_warehouse, damage, warehouse_lock
from dagster_project.resources import XmkSettings

# dbt exits 1 when it ran and some model or test failed: running the same SQL on the same
# data fails the same way, so that is not retried. Anything else (2: dbt itself failed,
# e.g. it could not open the warehouse; negative: killed, e.g. out of memory) may pass
# on a second attempt.
DBT_COMPLETED_WITH_FAILURES = 1
DBT_RETRIES, DBT_RETRY_WAIT_SECONDS = 2, 60


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=xmk_dbt_project.manifest_path,
    project=xmk_dbt_project,
    dagster_dbt_translator=XmkDbtTranslator(),
    name="dbt_warehouse",
    # DuckDB has one writer: runs that write the warehouse never overlap.
    pool="duckdb",
)
def dbt_warehouse(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    settings: XmkSettings,
    config: DbtBuildConfig,
):
    paths = settings.paths()
    # profiles.yml reads the warehouse folder from the environment, like `xmk` does.
    os.environ.update(dbt_environment(paths.warehouse_dir))
    selection = sorted(key.to_user_string() for key in context.selected_asset_keys)
    with warehouse_lock(
        paths.warehouse_db, f"dbt build ({context.run.run_id})", log=context.log.info
    ):
        paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
        con = connect_warehouse(paths.warehouse_db)
        try:
            project = project_digest(xmk_dbt_project.project_dir)
            code = code_digest(project)
            fingerprint = build_fingerprint(
                inputs_digest(con, source_schemas(xmk_dbt_project.manifest_path)),
                project,
                # A full refresh leaves what an incremental build leaves (tests/dbt/
                # test_incremental.py): the command is the same build either way.
                dbt_build_args(),
            )
            last = last_build(con)
            if not config.full_refresh and is_unchanged(last, fingerprint, selection):
                yield from _unchanged(context, last)
                return
            forget_build(con)
        finally:
            con.close()
        # The incremental models keep the months the last good build wrote: only the
        # same code may keep them, and that code has passed the unit tests already.
        same_code = last is not None and last.project == code
        full_refresh = config.full_refresh or not same_code
        if full_refresh and not config.full_refresh:
            why = (
                "the dbt project or dbt changed since the last good build"
                if last
                else "no good build on record"
            )
            context.log.info(f"dbt build --full-refresh ({why}): every month is rebuilt")
        args = dbt_build_args(full_refresh=full_refresh, unit_tests=not same_code)

        # A throw-away target folder: dbt leaves ~1 MB of artifacts per invocation.
        with tempfile.TemporaryDirectory(prefix="xmk-dbt-") as target:
            invocation = dbt.cli(
                args, context=context, target_path=Path(target), raise_on_error=False
            )
            checks: list[CheckOutcome] = []
            try:
                for event in invocation.stream():
                    if isinstance(event, dg.AssetCheckResult) and event.asset_key:
                        checks.append(_outcome(event))
                    yield event
            finally:
                # Never let go of the warehouse while dbt may still write it: a step
                # that fails or is abandoned half-way stops its dbt process first.
                _stop(invocation.process)
            if not invocation.is_successful():
                error = invocation.get_error()
                if damaged := damage(error, paths.warehouse_db):
                    raise dg.Failure(str(damaged), allow_retries=False) from error
                if reason := permanent_line(str(error)):
                    # a permission, a read-only or full disk: waiting 60 s changes nothing
                    raise dg.Failure(f"dbt: {reason}", allow_retries=False) from error
                if invocation.process.returncode != DBT_COMPLETED_WITH_FAILURES:
                    raise dg.RetryRequested(
                        max_retries=DBT_RETRIES, seconds_to_wait=DBT_RETRY_WAIT_SECONDS
                    ) from error
                raise error

        con = connect_warehouse(paths.warehouse_db)
        try:
            record_build(
                con,
                BuildState(fingerprint, tuple(selection), context.run.run_id, tuple(checks), code),
            )
        finally:
            con.close()


def _stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _unchanged(context: dg.AssetExecutionContext, last: BuildState):
    """Nothing dbt reads has changed since run `last.run_id` built these tables: they
    stand as they are, and say so."""
    context.log.info(
        f"dbt build skipped: sources, models and command unchanged since run {last.run_id}"
    )
    selected = context.selected_asset_keys
    deps = context.assets_def.asset_deps
    # Dagster takes a multi-asset's results in dependency order only.
    order = TopologicalSorter({key: deps.get(key, set()) & selected for key in sorted(selected)})
    for key in order.static_order():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "dbt_build": "skipped: inputs, models and command unchanged",
                "built_by_run": str(last.run_id),
            },
        )
    # The tests of that build, on the same tables, stand: said once each, as they were.
    wanted = set(context.selected_asset_check_keys)
    for outcome in last.checks:
        key = dg.AssetCheckKey(dg.AssetKey.from_user_string(outcome.asset), outcome.check)
        if key in wanted:
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=outcome.passed,
                severity=dg.AssetCheckSeverity(outcome.severity),
                metadata={"dbt_build": "skipped: the result of run " + str(last.run_id)},
            )


def _outcome(result: dg.AssetCheckResult) -> CheckOutcome:
    return CheckOutcome(
        result.asset_key.to_user_string(),
        result.check_name,
        result.passed,
        result.severity.value,
    )
