"""Skip `dbt build` when nothing it reads has changed since the last good build.

A build rebuilds the tables that read across all of history and, of the incremental
month-grained models, the months whose inputs changed (macros/rebuild_window.sql). But a
build is a function of three things — the tables dbt reads (its sources), the dbt
project's code, and the command line — so when all three are as they were at the last
successful build, the marts already hold exactly what a new build would write (SPEC §5:
a nightly re-run with no new input changes no mart), and the build is skipped.

The fingerprint of the last good build lives in the warehouse itself
(`meta.dbt_build_state`), so a rebuilt or replaced warehouse starts without one. It is
removed before a build starts and written only after the build succeeded: a failed or
interrupted build — a test at error severity included — is never skipped next time.
With it are the outcomes of the build's tests (`checks`), which a skipped build reports
again: the same tests on the same tables give the same results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

STATE_TABLE = "meta.dbt_build_state"
_ENGINE_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
# What the build runs, from the dbt project folder.
_PROJECT_PARTS = (
    "dbt_project.yml",
    "profiles.yml",
    "packages.yml",
    "models",
    "macros",
    "seeds",
    "tests",
)


@dataclass(frozen=True)
class CheckOutcome:
    asset: str  # the asset key, as "schema/name"
    check: str
    passed: bool
    severity: str  # "ERROR" or "WARN"


@dataclass(frozen=True)
class BuildState:
    fingerprint: str
    selection: tuple[str, ...]  # the asset keys built, as "schema/name"
    run_id: str | None = None
    checks: tuple[CheckOutcome, ...] = ()
    # code_digest of what built it: the incremental models keep what that code wrote, so
    # other code rebuilds them in full (dagster_project/assets/marts.py).
    project: str = ""


def project_digest(project_dir: Path) -> str:
    """The dbt project's code: every file that can change what a build writes."""
    project_dir = Path(project_dir)
    h = hashlib.sha256()
    for part in _PROJECT_PARTS:
        root = project_dir / part
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            h.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def code_digest(project: str) -> str:
    """What builds the tables: the dbt project's code (its project_digest), and the
    versions of dbt, its DuckDB adapter and DuckDB, which run it (an upgrade may compute a
    month differently)."""
    versions = [f"{name}=={metadata.version(name)}" for name in _ENGINE_PACKAGES]
    return hashlib.sha256("\n".join([project, *versions]).encode()).hexdigest()


def source_schemas(manifest_path: Path) -> list[str]:
    """The schemas dbt reads from (its sources): raw, and whatever else is declared."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    return sorted({s["schema"] for s in manifest.get("sources", {}).values()})


def inputs_digest(con, schemas: Iterable[str]) -> str:
    """The content of every table in the source schemas (row count and an order-free
    sum of row hashes) and the definition of every view there. DuckDB hashes a few
    hundred thousand rows in well under a second."""
    schemas = sorted(schemas)
    if not schemas:
        return ""
    marks = ", ".join("?" for _ in schemas)
    parts = []
    tables = con.execute(
        f"""select schema_name, table_name from duckdb_tables()
            where database_name = current_database() and schema_name in ({marks})
            order by 1, 2""",
        schemas,
    ).fetchall()
    for schema, table in tables:
        count, total = con.execute(
            f'select count(*), coalesce(sum(hash(t)), 0) from "{schema}"."{table}" as t'
        ).fetchone()
        parts.append(f"{schema}.{table}\t{count}\t{total}")
    for schema, view, sql in con.execute(
        f"""select schema_name, view_name, sql from duckdb_views()
            where database_name = current_database() and not internal
              and schema_name in ({marks})
            order by 1, 2""",
        schemas,
    ).fetchall():
        parts.append(f"{schema}.{view}\t{sql}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def build_fingerprint(inputs: str, project: str, args: Sequence[str]) -> str:
    return hashlib.sha256(
        json.dumps({"inputs": inputs, "project": project, "args": list(args)}).encode()
    ).hexdigest()


def is_unchanged(last: BuildState | None, fingerprint: str, selection: Iterable[str]) -> bool:
    """Skip when the last good build read the same inputs with the same code and built
    at least what is asked now."""
    return (
        last is not None
        and last.fingerprint == fingerprint
        and set(selection) <= set(last.selection)
    )


def last_build(con) -> BuildState | None:
    _create(con)
    row = con.execute(
        f"select fingerprint, selection, run_id, checks, project from {STATE_TABLE}"
    ).fetchone()
    if row is None:
        return None
    checks = tuple(CheckOutcome(**c) for c in json.loads(row[3] or "[]"))
    return BuildState(row[0], tuple(row[1]), row[2], checks, row[4] or "")


def forget_build(con) -> None:
    _create(con)
    con.execute(f"delete from {STATE_TABLE}")


def record_build(con, state: BuildState) -> None:
    _create(con)
    con.execute("begin transaction")
    con.execute(f"delete from {STATE_TABLE}")
    con.execute(
        f"insert into {STATE_TABLE} (fingerprint, selection, run_id, built_at, checks, project) "
        "values (?, ?, ?, current_timestamp, ?, ?)",
        [
            state.fingerprint,
            list(state.selection),
            state.run_id,
            json.dumps([c.__dict__ for c in state.checks], ensure_ascii=False),
            state.project,
        ],
    )
    con.execute("commit")


def _create(con) -> None:
    con.execute("create schema if not exists meta")
    con.execute(
        f"""create table if not exists {STATE_TABLE} (
                fingerprint varchar, selection varchar[], run_id varchar, built_at timestamp
            )"""
    )
    # A warehouse of an earlier version has the table without it.
    con.execute(f"alter table {STATE_TABLE} add column if not exists checks varchar")
    con.execute(f"alter table {STATE_TABLE} add column if not exists project varchar")
