"""The `quality.dq_failures` table: every failure the suites and the cross-month checks
found in the submissions in force, rewritten whole by each run; dbt's `fct_dq_failures`
reads it.

Beside it, `quality.validated_submissions` says which submissions' suite failures the
table holds and under which suites version, so that a run validates only what is new
(quality/refresh.py). Both are replaced in one transaction, so they never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from dagster_project.quality.failures import Failure


@dataclass(frozen=True)
class ListFailure(Failure):
    """A failure in a row (or the header) of one list of one submission."""

    list_key: str
    submission_id: str


_SQL_TYPES = {"period_month": "DATE", "excel_row": "INTEGER"}
COLUMNS: list[tuple[str, str]] = [
    (f.name, _SQL_TYPES.get(f.name, "VARCHAR")) for f in dataclasses.fields(ListFailure)
]
VALIDATED_COLUMNS = [
    ("submission_id", "VARCHAR"),
    ("list_key", "VARCHAR"),
    ("suites_version", "VARCHAR"),
]
_ARROW_TYPES = {"DATE": pa.date32(), "INTEGER": pa.int32(), "VARCHAR": pa.string()}


def write_failures(
    con, failures: list[ListFailure], validated: Iterable[tuple[str, str, str]] = ()
) -> None:
    """Replace the table's content with `failures`, and the ledger with `validated`
    ((submission_id, list_key, suites_version) whose suite failures are among them), in
    one transaction: a reader sees the old set or the new, never a mix. Without a ledger
    the next refresh validates everything again."""
    tables = {
        "dq_failures": (COLUMNS, [dataclasses.asdict(f) for f in failures]),
        "validated_submissions": (
            VALIDATED_COLUMNS,
            [dict(zip(("submission_id", "list_key", "suites_version"), v, strict=True))
             for v in validated],
        ),
    }  # fmt: skip
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists quality")
        for table, (columns, rows) in tables.items():
            _replace(con, table, columns, rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _replace(con, table: str, columns: list[tuple[str, str]], rows: list[dict]) -> None:
    names = [name for name, _ in columns]
    if (existing := table_columns(con, table)) and existing != names:
        con.execute(f"drop table quality.{table}")  # made by an older version
    cols = ", ".join(f'"{name}" {sql}' for name, sql in columns)
    con.execute(f"create table if not exists quality.{table} ({cols})")
    con.execute(f"delete from quality.{table}")
    schema = pa.schema([(name, _ARROW_TYPES[sql]) for name, sql in columns])
    con.register("incoming_rows", pa.Table.from_pylist(rows, schema=schema))
    try:
        con.execute(f"insert into quality.{table} by name select * from incoming_rows")
    finally:
        con.unregister("incoming_rows")


def table_columns(con, table: str) -> list[str]:
    """The columns of quality.<table>, [] when there is no such table."""
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'quality' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    ]


def read_failures(con, period_month: date | None = None) -> list[ListFailure]:
    """The table's rows as failures (all months, or one); none before the first run."""
    names = [name for name, _ in COLUMNS]
    if table_columns(con, "dq_failures") != names:
        return []
    sql = f"select {', '.join(names)} from quality.dq_failures"
    params: list = []
    if period_month is not None:
        sql += " where period_month = ?"
        params.append(period_month)
    return [
        ListFailure(**dict(zip(names, row, strict=True)))
        for row in con.execute(sql, params).fetchall()
    ]


def read_validated(con) -> set[tuple[str, str, str]]:
    """The ledger: (submission_id, list_key, suites_version)."""
    if table_columns(con, "validated_submissions") != [n for n, _ in VALIDATED_COLUMNS]:
        return set()
    return set(
        con.execute(
            "select submission_id, list_key, suites_version from quality.validated_submissions"
        ).fetchall()
    )
