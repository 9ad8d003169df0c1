"""Bringing `quality.dq_failures` up to date at the cost of what changed (SPEC §7).

A submission's suite failures depend on its own rows only, so they are computed once per
submission and suites version and kept while the submission is in force. Each run:

* validates the submissions in force that the ledger does not know (new files, or all
  of them when a suite changed);
* keeps the failures of those it knows, drops those of superseded submissions;
* recomputes the checks that are one cheap SQL query each: the cross-month ones, which
  depend on the other months (a correction of September changes October's comparison),
  the 覆盖倍数 check, the checks on the statistics bureau's file and the sheets' layout
  problems found at parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.contract import LISTS
from dagster_project.orchestration.warehouse_lock import connect_warehouse
from dagster_project.quality import bond_coverage, cross_month, sheet_problems, statistics_file
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

# Recomputed by every run rather than kept per submission.
RECOMPUTED_RULES = (
    *cross_month.RULES,
    *bond_coverage.RULES,
    *statistics_file.RULES,
    *sheet_problems.RULES,
)


@dataclass
class Refresh:
    failures: list[ListFailure]
    validated: int  # submission lists validated by this run
    kept: int  # submission lists whose earlier failures were kept
    # GX's validation results of this run (one per list and chunk), for the Data Docs.
    validations: list = field(default_factory=list)


def refresh_failures(db_path: Path) -> Refresh:
    version = suites_version()
    con = connect_warehouse(db_path, read_only=True)
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
            if (f.submission_id, f.list_key) in known and f.rule not in RECOMPUTED_RULES
        ]
        todo = in_force - known
        validations: list = []
        if todo:
            suites = load_suites()
            for lst in LISTS:
                ids = sorted(sid for sid, key in todo if key == lst.key)
                if ids:
                    failures += suite_failures(
                        con, lst.key, suites[lst.key], None, ids, validations
                    )
        failures += cross_month.cross_month_failures(con)
        failures += bond_coverage.coverage_mismatches(con)
        failures += statistics_file.statistics_failures(con)
        failures += sheet_problems.sheet_problem_failures(con)
    finally:
        con.close()
    failures.sort(key=failure_place)
    con = connect_warehouse(db_path)
    try:
        write_failures(con, failures, [(sid, key, version) for sid, key in sorted(in_force)])
    finally:
        con.close()
    return Refresh(failures, validated=len(todo), kept=len(known), validations=validations)
