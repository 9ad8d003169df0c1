"""The Great Expectations suites of `expectations/` (one per list) run over the rows in
force, each unexpected row becoming a failure at its cell with the rule's hint.

Validation runs on pandas DataFrames read from DuckDB: GX's SQL route through
duckdb-engine fails in every expectation (ENGINEERING). Great Expectations is imported on
first use, not with this module, so loading the Dagster definitions stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.contract import LISTS
from dagster_project.quality.cross_month import cross_month_failures
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import ERROR, SEVERITIES, WARN
from dagster_project.quality.list_rows import (
    ROW_KEY,
    read_list,
    row_failure,
    sheet_places,
    submission_rows,
)
from dagster_project.settings import EXPECTATIONS_DIR

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ROW_KEY}
# Our severities as GX's own, so GX's results and data docs tell the same story.
_GX_SEVERITY = {ERROR: "critical", WARN: "warning"}
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
_DUPLICATE = "expect_compound_columns_to_be_unique"
# Rows validated at once: a province month of 在建 projects is about 12,000.
_CHUNK_ROWS = 100_000
# Bump when a change here alters the failures a suite gives (a hint's wording, say).
_CHECKS_VERSION = "1"


@cache
def _batches():
    """The batch definition every list's DataFrame goes through, in the process's one GX
    context (ephemeral, telemetry off, no progress bars)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("xmk").add_dataframe_asset("list_rows")
    return asset.add_batch_definition_whole_dataframe("all_rows")


def load_suites(directory: Path = EXPECTATIONS_DIR) -> dict:
    """{list_key: ExpectationSuite} from `<list_key>.json`, every expectation's meta
    checked: a rule id, a severity (error / warn), a hint, and the field it blames."""
    _batches()  # GX needs its context before a suite can be built
    import great_expectations as gx
    from great_expectations.expectations.metadata_types import FailureSeverity

    suites = {}
    for lst in LISTS:
        path = directory / f"{lst.key}.json"
        with path.open(encoding="utf-8") as f:
            suite = gx.ExpectationSuite(**json.load(f))
        if suite.name != lst.key:
            raise ValueError(f"{path.name}: suite name {suite.name!r} is not {lst.key!r}")
        for expectation in suite.expectations:
            config = expectation.configuration
            problem = _meta_problem(config)
            if problem:
                raise ValueError(f"{path.name}: {config.type} {config.kwargs}: {problem}")
            expectation.severity = FailureSeverity(_GX_SEVERITY[config.meta["severity"]])
        suites[lst.key] = suite
    return suites


def _meta_problem(config) -> str | None:
    meta = config.meta or {}
    if not meta.get("rule"):
        return "meta.rule is missing"
    if meta.get("severity") not in SEVERITIES:
        return f"meta.severity must be one of {SEVERITIES}"
    if not meta.get("hint"):
        return "meta.hint (修改建议) is missing"
    if not _blamed_field(config):
        return "meta.field must name the column to point at"
    return None


def _blamed_field(config) -> str | None:
    """The column a failure points at: meta.field, else the expectation's one column."""
    return (config.meta or {}).get("field") or config.kwargs.get("column")


def suite_columns(suite) -> list[str]:
    """The columns a suite reads."""
    columns: list[str] = []
    for expectation in suite.expectations:
        for key in _COLUMN_KWARGS:
            value = expectation.configuration.kwargs.get(key)
            for column in [value] if isinstance(value, str) else value or []:
                if column not in columns:
                    columns.append(column)
    return columns


def check_frame(
    list_key: str, frame: pd.DataFrame, suite, places: dict[tuple[str, str], dict]
) -> list[ListFailure]:
    """Validate rows of one list (the columns of list_rows.effective_rows_sql) and turn
    every unexpected row into a failure; `places` says, per (submission, sheet), which
    file it is and where each field sits. An expectation that cannot be evaluated (a
    column missing, say) raises: a check that did not run must not look passed."""
    if frame.empty:
        return []
    batch = _batches().get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(suite, result_format=RESULT_FORMAT)
    position = {key: i for i, key in enumerate(zip(*(frame[c] for c in ROW_KEY), strict=True))}
    failures: list[ListFailure] = []
    for result in validation.results:
        config = result.expectation_config
        if _raised(result.exception_info):
            raise RuntimeError(
                f"suite {list_key}: {config.type} {config.kwargs} could not be evaluated: "
                f"{result.exception_info}"
            )
        if result.success:
            continue
        meta, field = config.meta, _blamed_field(config)
        unexpected = result.result.get("unexpected_index_list") or []
        others = _duplicate_rows(unexpected, config.kwargs) if config.type == _DUPLICATE else {}
        for found in unexpected:
            key = tuple(found[c] for c in ROW_KEY)
            row = frame.iloc[position[key]].to_dict() | places[(key[0], key[1])]
            hint = meta["hint"] + others.get(key, "")
            failures.append(
                row_failure(row, list_key, field, meta["rule"], meta["severity"], hint, row[field])
            )
    return failures


def _raised(exception_info) -> bool:
    """GX reports exceptions as one dict, or as a dict of them keyed by metric."""
    if not exception_info:
        return False
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(_raised(info) for info in exception_info.values() if isinstance(info, dict))


def _duplicate_rows(unexpected: list[dict], kwargs: dict) -> dict[tuple, str]:
    """For each duplicated row, the other Excel rows holding the same values, as a note
    to append to the hint: （与第12、40行重复）."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for found in unexpected:
        groups[tuple(found[c] for c in kwargs["column_list"])].append(
            tuple(found[c] for c in ROW_KEY)
        )
    notes = {}
    for keys in groups.values():
        for key in keys:
            rows = sorted(int(k[2]) for k in keys if k != key)
            notes[key] = "（与第" + "、".join(map(str, rows)) + "行重复）" if rows else ""
    return notes


def suite_failures(
    con,
    list_key: str,
    suite,
    period_month: date | None = None,
    submission_ids: Collection[str] | None = None,
) -> list[ListFailure]:
    """One suite over the rows in force of its list (one month, or some submissions),
    read in chunks of whole submissions so that memory stays bounded however long the
    history: duplicates are looked for within a sheet, never across submissions."""
    counts = submission_rows(con, list_key, period_month)
    if submission_ids is not None:
        wanted = set(submission_ids)
        counts = {sid: n for sid, n in counts.items() if sid in wanted}
    places = sheet_places(con, list_key)
    columns = suite_columns(suite)
    failures: list[ListFailure] = []
    for chunk in _chunks(counts):
        frame = read_list(con, list_key, columns, period_month, chunk)
        failures += check_frame(list_key, frame, suite, places)
    return failures


def _chunks(counts: dict[str, int]) -> list[list[str]]:
    chunks: list[list[str]] = []
    size = _CHUNK_ROWS
    for sid, n in counts.items():
        if size + n > _CHUNK_ROWS:
            chunks.append([])
            size = 0
        chunks[-1].append(sid)
        size += n
    return chunks


def validate_warehouse(
    db_path: Path, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    """Every failure the suites and the cross-month checks find in the submissions in
    force (one month, or all), ordered by place."""
    suites = load_suites()
    keys = [lst.key for lst in LISTS if lists is None or lst.key in lists]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        failures: list[ListFailure] = []
        for key in keys:
            failures += suite_failures(con, key, suites[key], period_month)
        failures += cross_month_failures(con, period_month, keys)
    finally:
        con.close()
    return sorted(failures, key=failure_place)


def suites_version(directory: Path = EXPECTATIONS_DIR) -> str:
    """Changes whenever a suite file or the way failures are made changes: what was
    validated under another version is validated again."""
    digest = hashlib.sha256(_CHECKS_VERSION.encode())
    for lst in LISTS:
        digest.update((directory / f"{lst.key}.json").read_bytes())
    return digest.hexdigest()[:16]


def failure_place(f: ListFailure) -> tuple:
    return (
        f.period_month,
        f.region_code or "",
        f.source_file,
        f.sheet or "",
        f.excel_row or 0,
        f.column_letter or "",
        f.rule,
        f.field or "",
        f.hint or "",
    )
