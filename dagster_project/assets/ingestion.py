"""Ingestion: raw/ files → the raw schema of the warehouse, as one multi-asset.

One operation writes every raw table because one transaction per submission spans
them all; each table is still its own asset, so lineage shows file → raw → staging.
"""

import dagster as dg
import duckdb

from dagster_project.contract import LISTS, MEETING_DECISIONS
from dagster_project.ingest.load import ingest
from dagster_project.ingest.reference import ReferenceFileError
from dagster_project.orchestration.preflight import permanent_reason
from dagster_project.orchestration.warehouse_lock import (
    WarehouseBusy,
    WarehouseDamaged,
    connect_warehouse,
    damage,
    warehouse_lock,
)
from dagster_project.resources import XmkSettings

RAW_GROUP = "raw"
RAW_TABLES = {
    "manifest": "每个报送文件一行：哈希、报送单位、报送期、接收时间、状态与原因 (file manifest)",
    "sheet_manifest": "每个工作表一行：清单类型、表头行、各字段所在列、行数核对 (sheet manifest)",
    **{lst.key: f"{lst.title}清单的原始行 ({lst.clause})" for lst in LISTS},
    "statistics": "统计局固定资产投资数据 (statistics bureau)",
    MEETING_DECISIONS: "协调推进会会议纪要的议定事项 (meeting decisions, 三(四))",
    "quarantine": "无法读取的行及原因 (rows that could not be read)",
    "regions": "在用的区划参考表 (regions reference in force)",
    "department_leaders": "责任部门与分管副市长 (department → deputy mayor)",
    "exemptions": "报送豁免：项目中心登记的地区与月份及原因 (exemptions from completeness)",
}
# A failed ingestion is an environmental one (a full disk, a worker killed for memory, the
# warehouse held by a process outside Dagster): a file that cannot be read is rejected
# into the manifest, never raised. Loading is idempotent (a committed file is not loaded
# again), so trying again later is safe and cheap.
INGEST_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(raw_asset_key(t), description=d, group_name=RAW_GROUP, kinds={"duckdb"})
        for t, d in RAW_TABLES.items()
    ],
    name="ingest_raw_files",
    description="Read every new file in raw/ (county workbooks, weekly lists, statistics) "
    "and load it, one transaction per submission.",
    # DuckDB has one writer: runs that write the warehouse never overlap.
    pool="duckdb",
    retry_policy=INGEST_RETRY,
)
def ingest_raw_files(context: dg.AssetExecutionContext, settings: XmkSettings):
    paths = settings.paths()
    try:
        with warehouse_lock(
            paths.warehouse_db, f"ingestion ({context.run.run_id})", log=context.log.info
        ):
            report = ingest(paths.raw_dir, paths.warehouse_db)
            counts = _table_counts(paths.warehouse_db)
    except (ReferenceFileError, WarehouseBusy, WarehouseDamaged) as exc:
        # The operator's own file, a session outside xmk that was waited for already,
        # a damaged warehouse: trying again changes nothing until someone acts.
        raise dg.Failure(str(exc), allow_retries=False) from exc
    except (duckdb.Error, OSError) as exc:
        if isinstance(exc, duckdb.Error) and (damaged := damage(exc, paths.warehouse_db)):
            raise dg.Failure(str(damaged), allow_retries=False) from exc
        # a permission, a read-only or full disk: retrying in 30 s changes nothing
        if reason := permanent_reason(exc):
            raise dg.Failure(reason, allow_retries=False) from exc
        raise
    context.log.info(report.summary())
    for table in RAW_TABLES:
        metadata = {"dagster/row_count": counts.get(table, 0)}
        if table == "manifest":
            metadata |= {
                "files_seen": report.files_seen,
                "files_unchanged": report.files_unchanged,
                "files_loaded": report.files_loaded,
                "files_rejected": report.files_rejected,
                "rows_read": report.rows_read,
                "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined,
                "rows_structural": report.rows_structural,
                "cells_quarantined": report.cells_quarantined,
                "seconds": round(report.seconds, 2),
                "summary": dg.MetadataValue.md(f"```\n{report.summary()}\n```"),
            }
        yield dg.MaterializeResult(asset_key=raw_asset_key(table), metadata=metadata)


def _table_counts(db_path) -> dict[str, int]:
    con = connect_warehouse(db_path, read_only=True)
    try:
        tables = {"manifest": "file_manifest", **{t: t for t in RAW_TABLES if t != "manifest"}}
        return {
            name: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for name, table in tables.items()
        }
    finally:
        con.close()


@dg.asset_check(
    asset=raw_asset_key("manifest"),
    name="rows_conserved",
    description="For every sheet: rows read = rows loaded + quarantined + totals/sections.",
    pool="duckdb",
)
def rows_conserved(context: dg.AssetCheckExecutionContext, settings: XmkSettings):
    db = settings.paths().warehouse_db
    run_id = context.op_execution_context.run_id
    with warehouse_lock(db, f"rows_conserved ({run_id})", write=False):
        bad = _unconserved_sheets(db)
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"sheets_not_conserved": len(bad), "examples": str(bad[:5])},
    )


def _unconserved_sheets(db) -> list[tuple]:
    con = connect_warehouse(db, read_only=True)
    try:
        return con.execute(
            """
            select f.original_path, s.sheet_name, s.rows_read, s.rows_loaded,
                   s.rows_quarantined, s.rows_structural
            from raw.sheet_manifest s join raw.file_manifest f using (submission_id)
            where s.rows_read <> s.rows_loaded + s.rows_quarantined + s.rows_structural
            """
        ).fetchall()
    finally:
        con.close()
