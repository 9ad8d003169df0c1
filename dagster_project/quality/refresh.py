"""Bringing `quality.dq_failures` up to date at the cost of what changed (SPEC §7).

A submission's suite failures depend on its own rows only, so they are computed once per
submission and suites version and kept while the submission is in force. Each run:

* validates the submissions in force that the ledger does not know (new files, or all
  of them when a suite changed);
* keeps the failures of those it knows, drops those of superseded submissions;
* recomputes the cross-month checks, which depend on the other months (a correction of
  September changes October's comparison) and are one cheap SQL query each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.contract import LISTS
from dagster_project.quality import cross_month
from dagster_project.quality.failure_table import (
    ListFailure,
    read_failures,
    read_validated,
    write_failures,
)
from dagster_project.quality.suites import (
    failure_place,
    load_suites,
    suite_failures,
    suites_version,
)


@dataclass
class Refresh:
    failures: list[ListFailure]
    validated: int  # submission lists validated by this run
    kept: int  # submission lists whose earlier failures were kept


def refresh_failures(db_path: Path) -> Refresh:
    version = suites_version()
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        in_force = set(
            con.execute(
                "select submission_id, list_key from raw.effective_submission_lists "
                "where list_contains(?::varchar[], list_key)",
                [[lst.key for lst in LISTS]],
            ).fetchall()
        )
        known = {(sid, key) for sid, key, v in read_validated(con) if v == version} & in_force
        failures = [
            f
            for f in read_failures(con)
            if (f.submission_id, f.list_key) in known and f.rule not in cross_month.RULES
        ]
        todo = in_force - known
        if todo:
            suites = load_suites()
            for lst in LISTS:
                ids = sorted(sid for sid, key in todo if key == lst.key)
                if ids:
                    failures += suite_failures(con, lst.key, suites[lst.key], None, ids)
        failures += cross_month.cross_month_failures(con)
    finally:
        con.close()
    failures.sort(key=failure_place)
    con = duckdb.connect(str(db_path))
    try:
        write_failures(con, failures, [(sid, key, version) for sid, key in sorted(in_force)])
    finally:
        con.close()
    return Refresh(failures, validated=len(todo), kept=len(known))
