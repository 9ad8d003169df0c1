"""Reading a period's files again (after a parser fix, say): a file is read once per
period, so its submissions are taken out of the warehouse — rows, quarantine, structural
rows, sheet and file manifest, and the record that its lists were validated — in one
transaction, under the warehouse's write lock. The files in raw/ stay; the next run reads
them as new. The marts follow on that run (`dbt build` sees its sources changed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dagster_project.ingest.schema import TABLES
from dagster_project.orchestration.warehouse_lock import connect_warehouse, warehouse_lock

# Every raw table that holds rows of a submission; the reference tables do not.
SUBMISSION_TABLES = tuple(
    f"raw.{table}"
    for table, columns in TABLES.items()
    if "submission_id" in {name for name, _ in columns} and table != "file_manifest"
)


def forget_period(db_path: Path, *, month: date | None = None, week: date | None = None) -> int:
    """Take the submissions of reporting `month` (or of the week starting Monday `week`)
    out of the warehouse; returns how many files were forgotten."""
    if (month is None) == (week is None):
        raise ValueError("give a month or a week")
    column, value = ("period_month", month) if month else ("period_week", week)
    with warehouse_lock(db_path, f"forgetting {column} {value} to read it again"):
        con = connect_warehouse(db_path)
        try:
            con.execute("begin transaction")
            con.execute(
                "create temp table forgotten as select submission_id from raw.file_manifest "
                f"where {column} = ?",
                [value],
            )
            (count,) = con.execute("select count(*) from forgotten").fetchone()
            has_validated = con.execute(
                "select count(*) from duckdb_tables() "
                "where schema_name = 'quality' and table_name = 'validated_submissions'"
            ).fetchone()[0]
            tables = [*SUBMISSION_TABLES, "raw.file_manifest"]
            if has_validated:
                tables.append("quality.validated_submissions")
            for table in tables:
                con.execute(f"delete from {table} where submission_id in (select * from forgotten)")
            con.execute("commit")
        finally:
            con.close()
    return count
