"""The Great Expectations suites of `expectations/` (one per list) run over the rows in
force, each unexpected row becoming a failure at its cell with the rule's hint.

Validation runs on pandas DataFrames read from DuckDB: GX's SQL route through
duckdb-engine fails in every expectation (ENGINEERING). Great Expectations is imported on
first use, not with this module, so loading the Dagster definitions stays fast.

Two engines evaluate the suites, giving the same failures: "gx", Great Expectations
itself, whose validation results the Data Docs are built from (the nightly run); and
"direct" (quality/suite_engine.py), the same semantics without GX and its ~30 ms per
expectation, for the self-check of one workbook — with it GX is never imported.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from dagster_project.contract import ERROR_VALUE_RULES, FIELD_BY_NAME, LISTS, REQUIRED
from dagster_project.orchestration.warehouse_lock import connect_warehouse
from dagster_project.quality import suite_engine
from dagster_project.quality.bond_coverage import coverage_mismatches
from dagster_project.quality.cross_month import cross_month_failures
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import ERROR, SEVERITIES, WARN
from dagster_project.quality.list_rows import (
    LINEAGE,
    ROW_KEY,
    read_list,
    row_failure,
    sheet_places,
    submission_rows,
)
from dagster_project.quality.rules import RULES_SEED, rules
from dagster_project.quality.sheet_problems import sheet_problem_failures
from dagster_project.quality.statistics_file import statistics_failures
from dagster_project.settings import EXPECTATIONS_DIR

RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ROW_KEY}
# Our severities as GX's own, so GX's results and data docs tell the same story.
_GX_SEVERITY = {ERROR: "critical", WARN: "warning"}
_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
_DUPLICATE = "expect_compound_columns_to_be_unique"
_NOT_NULL = "expect_column_values_to_not_be_null"
# Rows validated at once: a province month of 在建 projects is about 12,000.
_CHUNK_ROWS = 100_000
# Bump when a change here alters the failures a suite gives (a hint's wording, say).
_CHECKS_VERSION = "2"
GX, DIRECT = "gx", "direct"
ENGINES = (GX, DIRECT)


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


def load_suites(directory: Path = EXPECTATIONS_DIR, engine: str = GX) -> dict:
    """{list_key: suite} from `<list_key>.json` — a GX ExpectationSuite for the "gx"
    engine, a suite_engine.Suite (GX not imported) for "direct" —, every expectation's
    meta checked: a rule id named in quality/rules.py, a severity (error / warn), a hint,
    and the field it blames; and the suite checked against the contract
    (contract.REQUIRED): its required fields are the contract's with the contract's
    severities, and nothing else is an error that the contract does not make one. A suite
    that disagrees is refused, so no run can block publication on a rule stricter than
    the contract. The direct engine also refuses what it cannot evaluate as GX would."""
    _check_engine(engine)
    if engine == DIRECT:
        suites = {}
        for lst in LISTS:
            path = directory / f"{lst.key}.json"
            suite = suite_engine.read_suite(path)
            _check_suite(path, lst.key, suite.name, _configurations(suite))
            suites[lst.key] = suite
        return suites
    _batches()  # GX needs its context before a suite can be built
    import great_expectations as gx
    from great_expectations.expectations.metadata_types import FailureSeverity

    suites = {}
    for lst in LISTS:
        path = directory / f"{lst.key}.json"
        with path.open(encoding="utf-8") as f:
            suite = gx.ExpectationSuite(**json.load(f))
        _check_suite(path, lst.key, suite.name, _configurations(suite))
        for expectation in suite.expectations:
            severity = _GX_SEVERITY[expectation.configuration.meta["severity"]]
            expectation.severity = FailureSeverity(severity)
        suites[lst.key] = suite
    return suites


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown suite engine {engine!r}: one of {ENGINES}")


def _check_suite(path: Path, list_key: str, name: str, configs: list) -> None:
    """A suite's name, every expectation's meta and its agreement with the contract."""
    if name != list_key:
        raise ValueError(f"{path.name}: suite name {name!r} is not {list_key!r}")
    for config in configs:
        problem = _meta_problem(config)
        if problem:
            raise ValueError(f"{path.name}: {config.type} {config.kwargs}: {problem}")
    for problem in contract_disagreements(list_key, configs):
        raise ValueError(f"{path.name} disagrees with contract.REQUIRED: {problem}")


def _configurations(suite) -> list:
    """The expectation configurations (type, kwargs, meta) of a GX suite, or of a
    suite_engine.Suite, whose expectations are their own configurations."""
    if isinstance(suite, suite_engine.Suite):
        return list(suite.expectations)
    return [e.configuration for e in suite.expectations]


def contract_disagreements(list_key: str, configs) -> list[str]:
    """Where a suite's rules (expectation configurations) differ from the contract."""
    problems = []
    required = REQUIRED[list_key]
    in_suite: dict[str, str] = {}
    for config in configs:
        meta = config.meta or {}
        if config.type == _NOT_NULL:
            column = config.kwargs["column"]
            in_suite[column] = meta.get("severity")
            if meta.get("rule") != f"required_{column}":
                problems.append(f"the not-null rule on {column} must be named required_{column}")
            if column not in required:
                problems.append(f"{column} is required in the suite, not in the contract")
            elif meta.get("severity") != required[column]:
                problems.append(
                    f"{column} is {meta.get('severity')} in the suite, "
                    f"{required[column]} in the contract"
                )
        elif meta.get("severity") == ERROR and meta.get("rule") not in ERROR_VALUE_RULES[list_key]:
            problems.append(f"{meta.get('rule')} is an error the contract does not make")
    problems += [
        f"the contract requires {column} ({level}); the suite has no required_{column}"
        for column, level in required.items()
        if column not in in_suite
    ]
    return problems


def _meta_problem(config) -> str | None:
    meta = config.meta or {}
    if not meta.get("rule"):
        return "meta.rule is missing"
    if meta["rule"] not in rules():
        return f"rule {meta['rule']} has no Chinese name in {RULES_SEED.name}"
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
    for config in _configurations(suite):
        for column in _expectation_columns(config):
            if column not in columns:
                columns.append(column)
    return columns


def _expectation_columns(config) -> list[str]:
    """The columns one expectation reads."""
    columns: list[str] = []
    for key in _COLUMN_KWARGS:
        value = config.kwargs.get(key)
        columns += [value] if isinstance(value, str) else list(value or [])
    return columns


def check_frame(
    list_key: str,
    frame: pd.DataFrame,
    suite,
    places: dict[tuple[str, str], dict],
    validations: list | None = None,
    engine: str = GX,
) -> list[ListFailure]:
    """Validate rows of one list (the columns of list_rows.effective_rows_sql) with one of
    ENGINES and turn every unexpected row into a failure; `places` says, per
    (submission, sheet), which file it is, its header rows and where each field sits. A
    sheet without a column an expectation reads is not judged row by row on it: a
    required field's whole column missing is one failure for the sheet, at its header.
    An expectation that cannot be evaluated (a column missing from the frame, say)
    raises: a check that did not run must not look passed. GX's validation result is
    appended to `validations` when given (for the Data Docs; the "gx" engine only)."""
    _check_engine(engine)
    if validations is not None and engine != GX:
        raise ValueError("validation results for the Data Docs come from the gx engine only")
    if frame.empty:
        return []
    position = {key: i for i, key in enumerate(zip(*(frame[c] for c in ROW_KEY), strict=True))}
    # The first row of each sheet, for the sheet's own lineage.
    sheets: dict[tuple[str, str], int] = {}
    for i, key in enumerate(zip(frame["submission_id"], frame["sheet_name"], strict=True)):
        sheets.setdefault(key, i)
    failures: list[ListFailure] = []
    for config, success, unexpected in _outcomes(list_key, frame, suite, validations, engine):
        meta, field = config.meta, _blamed_field(config)
        needed = [c for c in _expectation_columns(config) if c not in LINEAGE]
        lacking = {key for key in sheets if _lacks_columns(places[key], needed)}
        if config.type == _NOT_NULL:
            for key in sorted(lacking):
                row = frame.iloc[sheets[key]].to_dict() | places[key]
                failures.append(_missing_column(row, list_key, field, meta))
        if success:
            continue
        others = _duplicate_rows(unexpected, config.kwargs) if config.type == _DUPLICATE else {}
        for found in unexpected:
            key = tuple(found[c] for c in ROW_KEY)
            if (key[0], key[1]) in lacking:
                continue
            row = frame.iloc[position[key]].to_dict() | places[(key[0], key[1])]
            if config.type == _NOT_NULL and _unreadable(row, field):
                continue  # empty because unreadable: its quarantine failure says so
            hint = meta["hint"] + others.get(key, "")
            failures.append(
                row_failure(row, list_key, field, meta["rule"], meta["severity"], hint, row[field])
            )
    return failures


def _outcomes(list_key: str, frame: pd.DataFrame, suite, validations: list | None, engine: str):
    """(configuration, success, unexpected_index_list) of each expectation of `suite` over
    `frame`, in the suite's order, by GX or by the direct engine."""
    if engine == DIRECT:
        for config in _configurations(suite):
            try:
                outcome = suite_engine.evaluate(config, frame, ROW_KEY)
            except suite_engine.UnknownExpectation:
                raise
            except Exception as exc:
                raise RuntimeError(
                    f"suite {list_key}: {config.type} {config.kwargs} could not be evaluated: "
                    f"{exc!r}"
                ) from exc
            yield config, outcome.success, outcome.unexpected_index_list
        return
    if isinstance(suite, suite_engine.Suite):
        raise TypeError("the gx engine validates GX suites: load_suites(engine='gx')")
    batch = _batches().get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(suite, result_format=RESULT_FORMAT)
    if validations is not None:
        validations.append(validation)
    for result in validation.results:
        config = result.expectation_config
        if _raised(result.exception_info):
            raise RuntimeError(
                f"suite {list_key}: {config.type} {config.kwargs} could not be evaluated: "
                f"{result.exception_info}"
            )
        yield config, result.success, result.result.get("unexpected_index_list") or []


def _unreadable(row: dict, field: str) -> bool:
    fields = row.get("unreadable_fields")
    return fields is not None and field in list(fields)


def _lacks_columns(place: dict, columns: list[str]) -> bool:
    """The sheet has no column for one of `columns`. Where the sheet's columns were not
    recorded, nothing is known to be missing."""
    recorded = place.get("field_columns")
    if not recorded:
        return False
    present = _field_names(recorded)
    return any(c not in present for c in columns)


@cache
def _field_names(field_columns: str) -> frozenset[str]:
    return frozenset(json.loads(field_columns))


def _missing_column(row: dict, list_key: str, field: str, meta: dict) -> ListFailure:
    """One failure for a sheet that lacks a required field's column, at its header."""
    header = FIELD_BY_NAME[field].header
    first_header_row = int(str(row.get("header_rows") or "1").split("-")[0])
    hint = f"缺少列：{header}。{meta['hint']}（请在表头增加“{header}”列后逐行填写）"
    return row_failure(
        {**row, "excel_row": first_header_row, "source_text": None},
        list_key,
        field,
        meta["rule"],
        meta["severity"],
        hint,
    )


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
    validations: list | None = None,
    engine: str = GX,
) -> list[ListFailure]:
    """One suite over the rows in force of its list (one month, or some submissions),
    read in chunks of whole submissions so that memory stays bounded however long the
    history: duplicates are looked for within a sheet, never across submissions. Each
    chunk's GX validation result is appended to `validations` when given (gx engine)."""
    counts = submission_rows(con, list_key, period_month)
    if submission_ids is not None:
        wanted = set(submission_ids)
        counts = {sid: n for sid, n in counts.items() if sid in wanted}
    places = sheet_places(con, list_key)
    columns = suite_columns(suite)
    failures: list[ListFailure] = []
    for chunk in _chunks(counts):
        frame = read_list(con, list_key, columns, period_month, chunk)
        failures += check_frame(list_key, frame, suite, places, validations, engine)
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
    db_path: Path,
    period_month: date | None = None,
    lists: Collection[str] | None = None,
    engine: str = GX,
) -> list[ListFailure]:
    """Every failure the suites and the SQL checks (cross-month, 覆盖倍数, and — when all
    lists are asked for — the statistics file) find in the submissions in force (one
    month, or all), ordered by place; the suites evaluated by `engine` (ENGINES), which
    changes nothing in the failures."""
    con = connect_warehouse(db_path, read_only=True)
    try:
        return warehouse_failures(con, period_month, lists, engine)
    finally:
        con.close()


def warehouse_failures(
    con,
    period_month: date | None = None,
    lists: Collection[str] | None = None,
    engine: str = GX,
) -> list[ListFailure]:
    """validate_warehouse on an open connection to the warehouse (the self-check's
    throw-away one), with the suites as loaded once per process (suites_in_force)."""
    suites = suites_in_force(engine)
    keys = [lst.key for lst in LISTS if lists is None or lst.key in lists]
    failures: list[ListFailure] = []
    for key in keys:
        failures += suite_failures(con, key, suites[key], period_month, engine=engine)
    failures += cross_month_failures(con, period_month, keys)
    failures += coverage_mismatches(con, period_month, keys)
    failures += [f for f in sheet_problem_failures(con, period_month) if f.list_key in keys]
    if lists is None:
        failures += statistics_failures(con, period_month)
    return sorted(failures, key=failure_place)


def suites_in_force(engine: str = GX, directory: Path = EXPECTATIONS_DIR) -> dict:
    """load_suites, once per process for each content of the suite files: a check reads
    the files' bytes (a few KB) to see that they are unchanged, not their rules again —
    a portal server answers every upload with the suites it loaded first, and still
    follows an edited suite without a restart."""
    return _loaded_suites(directory, engine, suites_version(directory))


@lru_cache(maxsize=4)
def _loaded_suites(directory: Path, engine: str, _version: str) -> dict:
    return load_suites(directory, engine)


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
