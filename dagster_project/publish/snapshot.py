"""The analysts' snapshot: `published.duckdb`, a copy of the marts replaced atomically.

DuckDB has one writer, and while a process writes `warehouse.duckdb` nobody else can even
read it (ENGINEERING, "DuckDB: one writer"). Analysts therefore read a copy. The copy is
written to a temporary file beside `published.duckdb`, checkpointed, detached and only then
renamed onto it with `os.replace`, which is atomic on one filesystem. So:

* an analyst session that is open keeps reading the file it opened (the old snapshot) and
  never blocks the run; a new session sees the new snapshot; nobody sees a half-written one;
* a run that dies while copying leaves the last good snapshot in place, plus a temporary
  file that the next publication removes.

One gap is DuckDB's: connecting opens the file three times by its path (2.0.1: the first 16
bytes, the 12 KB of headers, then the blocks), so a session that connects in the instant of
a replacement can pair the old file's headers with the new file's blocks. The connection
then fails (an IO or serialization error) rather than reading a mix, and connecting again
works. `open_snapshot`, which this project's own readers use, connects again.

The snapshot holds the analyst-facing schemas (by default `marts`, where the `dim_`, `fct_`
and `rpt_` tables live), materialised as tables with their Chinese descriptions, a view in
`main` for each of them so that marts answer to their bare names in any DuckDB client
(`select * from rpt_arena_monthly`), and `meta.snapshot` / `meta.snapshot_tables`: when it
was published, the latest `period_month` it holds, a digest of its content and the row
count of every table. When the marts hold exactly what the published copy holds, nothing
is written: a night with nothing new leaves `published.duckdb` as it was, to the byte. `raw`,
`staging` and `intermediate` stay in the working warehouse: they carry the counties'
contact details and are not an interface anyone should build on.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from dagster_project.orchestration.warehouse_lock import damage

ANALYST_SCHEMAS = ("marts",)
META_SCHEMA = "meta"
BARE_NAME_SCHEMA = "main"
_TEMP_MARK = ".tmp-"  # published.duckdb.tmp-<pid>-<random>, and its .wal while writing


@dataclass(frozen=True)
class SnapshotInfo:
    """What a publication wrote."""

    path: Path
    published_at: datetime
    latest_period_month: date | None
    row_counts: dict[str, int]  # "marts.rpt_arena_monthly" -> rows
    written: bool = True  # False: the published copy already held exactly this

    def describe(self) -> str:
        latest = self.latest_period_month.strftime("%Y-%m") if self.latest_period_month else "-"
        rows = sum(self.row_counts.values())
        state = "" if self.written else f" (unchanged since {self.published_at:%Y-%m-%d %H:%M})"
        return (
            f"analysts' snapshot {self.path}: {len(self.row_counts)} tables, {rows} rows, "
            f"latest period {latest}{state}"
        )


def publish_snapshot(
    warehouse_db: Path,
    published_db: Path,
    schemas: Iterable[str] = ANALYST_SCHEMAS,
) -> SnapshotInfo:
    """Copy `schemas` of the working warehouse into a new `published_db`, atomically.

    The working warehouse is attached read-only and detached as soon as the rows are copied;
    it must not be open read-write in this process at the same time (DuckDB refuses to
    attach a file twice in one process) nor in another one (its lock). When two schemas hold
    a table of the same name, the bare name belongs to the schema listed first.
    """
    warehouse_db, published_db = Path(warehouse_db), Path(published_db)
    schemas = tuple(schemas)
    if not warehouse_db.exists():
        raise FileNotFoundError(f"no working warehouse at {warehouse_db}: nothing to publish")
    if not schemas or {BARE_NAME_SCHEMA, META_SCHEMA} & set(schemas):
        raise ValueError(f"schemas to publish must be named and not main or meta: {schemas}")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_copies(published_db)
    try:
        # Every row of every table to publish is read here, so DuckDB checks every block:
        # a damaged warehouse stops the publication before anything is replaced.
        digest = content_digest(warehouse_db, schemas)
    except duckdb.Error as exc:
        if damaged := damage(exc, warehouse_db):
            raise damaged from exc
        raise
    published = _published(published_db)
    if published is not None and published.pop("content_digest") == digest:
        return SnapshotInfo(published_db, **published, written=False)

    temp = published_db.with_name(
        f"{published_db.name}{_TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    )
    published_at = datetime.now(UTC)
    try:
        row_counts, latest = _write_copy(warehouse_db, temp, schemas, published_at, digest)
        # A WAL left beside the old file (someone opened the snapshot read-write) does not
        # match the new file, and DuckDB refuses to open a database whose WAL does not match.
        _unlink(_wal(published_db))
        os.replace(temp, published_db)
    except BaseException:
        _unlink(temp)
        _unlink(_wal(temp))
        raise
    _fsync_directory(published_db.parent)
    return SnapshotInfo(published_db, published_at, latest, row_counts)


def open_snapshot(
    published_db: Path, config: dict | None = None, attempts: int = 3
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot, connecting again when the first
    attempt met a replacement half-way (see the module's docstring)."""
    for attempt in range(1, attempts + 1):
        try:
            return duckdb.connect(str(published_db), read_only=True, config=config or {})
        except (duckdb.IOException, duckdb.SerializationException):
            if attempt == attempts or not Path(published_db).is_file():
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def content_digest(warehouse_db: Path, schemas: Iterable[str] = ANALYST_SCHEMAS) -> str:
    """A digest of what a snapshot of `schemas` would hold: every table's and view's
    columns, descriptions, row count and an order-free hash of its rows."""
    schemas = tuple(schemas)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_literal(warehouse_db)} AS wh (READ_ONLY)")
        digest = hashlib.sha256()
        for schema, name, comment in _analyst_objects(con, schemas):
            source = f"wh.{_ident(schema)}.{_ident(name)}"
            columns = con.execute(
                """
                SELECT column_name, data_type, comment FROM duckdb_columns()
                WHERE database_name = 'wh' AND schema_name = $schema AND table_name = $name
                ORDER BY column_index
                """,
                {"schema": schema, "name": name},
            ).fetchall()
            rows = con.execute(f"SELECT count(*), sum(hash(t)) FROM {source} AS t").fetchone()
            digest.update(repr((schema, name, comment, columns, rows)).encode())
        return digest.hexdigest()
    finally:
        con.close()


def _published(published_db: Path) -> dict | None:
    """What the current published copy says of itself, or None when there is none (or
    it is from before content digests were recorded, or cannot be read)."""
    if not published_db.is_file():
        return None
    try:
        con = duckdb.connect(str(published_db), read_only=True)
    except duckdb.Error:
        return None
    try:
        found = con.execute(
            f"SELECT published_at, latest_period_month, content_digest FROM {META_SCHEMA}.snapshot"
        ).fetchone()
        counts = con.execute(
            f"SELECT table_schema, table_name, row_count FROM {META_SCHEMA}.snapshot_tables"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if found is None:
        return None
    published_at, latest, digest = found
    return {
        "published_at": published_at,
        "latest_period_month": latest,
        "row_counts": {f"{schema}.{name}": rows for schema, name, rows in counts},
        "content_digest": digest,
    }


def _write_copy(
    warehouse_db: Path,
    temp: Path,
    schemas: tuple[str, ...],
    published_at: datetime,
    digest: str,
) -> tuple[dict[str, int], date | None]:
    con = duckdb.connect()  # in memory: it only moves rows from one attached file to another
    try:
        con.execute(f"ATTACH {_literal(warehouse_db)} AS wh (READ_ONLY)")
        con.execute(f"ATTACH {_literal(temp)} AS pub")
        con.execute("USE pub")
        objects = _analyst_objects(con, schemas)
        for schema in schemas:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}")
        for schema, name, comment in objects:
            _copy_table(con, schema, name, comment)
        # Release the working warehouse before the slow part (writing the file to disk).
        con.execute("DETACH wh")

        _create_bare_names(con, objects)
        row_counts = {
            f"{schema}.{name}": con.execute(
                f"SELECT count(*) FROM {_ident(schema)}.{_ident(name)}"
            ).fetchone()[0]
            for schema, name, _ in objects
        }
        latest = _latest_period(con, schemas)
        _write_meta(con, published_at, latest, row_counts, digest)

        con.execute("USE memory")
        con.execute("CHECKPOINT pub")
        con.execute("DETACH pub")
    finally:
        con.close()
    return row_counts, latest


def _analyst_objects(con, schemas: tuple[str, ...]) -> list[tuple[str, str, str | None]]:
    """(schema, name, description) of every table and view in `schemas`, in schema order."""
    rows = con.execute(
        """
        SELECT schema_name, table_name, comment FROM duckdb_tables()
        WHERE database_name = 'wh' AND schema_name IN (SELECT unnest($schemas))
        UNION ALL
        SELECT schema_name, view_name, comment FROM duckdb_views()
        WHERE database_name = 'wh' AND schema_name IN (SELECT unnest($schemas))
            AND NOT internal
        """,
        {"schemas": list(schemas)},
    ).fetchall()
    found = {schema for schema, _, _ in rows}
    missing = [s for s in schemas if s not in found]
    if missing:
        raise ValueError(f"the working warehouse has nothing in schema(s) {missing} to publish")
    order = {schema: i for i, schema in enumerate(schemas)}
    return sorted(rows, key=lambda r: (order[r[0]], r[1]))


def _copy_table(con, schema: str, name: str, comment: str | None) -> None:
    """One table (or a view, materialised) with its table and column descriptions."""
    target = f"{_ident(schema)}.{_ident(name)}"
    con.execute(f"CREATE TABLE {target} AS SELECT * FROM wh.{target}")
    if comment:
        con.execute(f"COMMENT ON TABLE {target} IS {_literal(comment)}")
    for column, column_comment in con.execute(
        """
        SELECT column_name, comment FROM duckdb_columns()
        WHERE database_name = 'wh' AND schema_name = $schema AND table_name = $name
            AND comment IS NOT NULL AND comment <> ''
        """,
        {"schema": schema, "name": name},
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN {target}.{_ident(column)} IS {_literal(column_comment)}")


def _create_bare_names(con, objects: list[tuple[str, str, str | None]]) -> None:
    # A view body is bound in the database that holds it, whatever that file is called when
    # an analyst opens it, so `marts.x` here means the snapshot's own marts.
    taken: set[str] = set()
    for schema, name, comment in objects:
        if name in taken:
            continue
        taken.add(name)
        view = f"{BARE_NAME_SCHEMA}.{_ident(name)}"
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM {_ident(schema)}.{_ident(name)}")
        if comment:
            con.execute(f"COMMENT ON VIEW {view} IS {_literal(comment)}")


def _latest_period(con, schemas: tuple[str, ...]) -> date | None:
    """The latest `period_month` held by any published table."""
    tables = con.execute(
        """
        SELECT schema_name, table_name FROM duckdb_columns()
        WHERE database_name = 'pub' AND schema_name IN (SELECT unnest($schemas))
            AND column_name = 'period_month' AND data_type = 'DATE'
        """,
        {"schemas": list(schemas)},
    ).fetchall()
    if not tables:
        return None
    union = " UNION ALL ".join(
        f"SELECT max(period_month) AS p FROM {_ident(s)}.{_ident(t)}" for s, t in tables
    )
    return con.execute(f"SELECT max(p) FROM ({union})").fetchone()[0]


def _write_meta(
    con, published_at: datetime, latest: date | None, row_counts: dict, digest: str
) -> None:
    con.execute(f"CREATE SCHEMA {META_SCHEMA}")
    con.execute(
        f"""
        CREATE TABLE {META_SCHEMA}.snapshot (
            published_at TIMESTAMP WITH TIME ZONE NOT NULL,
            latest_period_month DATE,
            table_count INTEGER NOT NULL,
            content_digest VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        f"INSERT INTO {META_SCHEMA}.snapshot VALUES (?, ?, ?, ?)",
        [published_at, latest, len(row_counts), digest],
    )
    con.execute(
        f"""
        CREATE TABLE {META_SCHEMA}.snapshot_tables (
            table_schema VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            row_count BIGINT NOT NULL
        )
        """
    )
    con.executemany(
        f"INSERT INTO {META_SCHEMA}.snapshot_tables VALUES (?, ?, ?)",
        [[*qualified.split(".", 1), rows] for qualified, rows in row_counts.items()],
    )
    con.execute(f"COMMENT ON TABLE {META_SCHEMA}.snapshot IS '本快照的发布时间与最新月份'")
    con.execute(f"COMMENT ON TABLE {META_SCHEMA}.snapshot_tables IS '本快照各表的行数'")


def _remove_abandoned_copies(published_db: Path) -> None:
    """Temporary copies left by a publication that died (its process is gone)."""
    for leftover in published_db.parent.glob(f"{published_db.name}{_TEMP_MARK}*"):
        pid = leftover.name[len(published_db.name) + len(_TEMP_MARK) :].split("-", 1)[0]
        if not pid.isdigit() or not _process_alive(int(pid)):
            _unlink(leftover)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not publishing anything else right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_directory(directory: Path) -> None:
    # The rename itself must survive a power cut, not only the file's contents.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"
