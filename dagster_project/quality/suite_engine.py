"""The suites of `expectations/` evaluated directly on a pandas DataFrame, without Great
Expectations: the self-check of one workbook must answer in well under GX's 3 s of
per-expectation overhead (metric graphs, pydantic models) for the 97 expectations.

Only the expectation types and kwargs the suites use are known, each with the semantics
of GX 1.24's pandas implementation (great_expectations/expectations/metrics/...):

- not_be_null: `~column.isnull()` over every row; None, NaN and NaT are null, an empty
  string is not.
- be_between, match_regex, be_in_set: null values are left out first (GX's
  filter_column_isnull); between compares numbers and datetimes vectorised and anything
  else value by value, refusing a string against a number (TypeError); match_regex
  *searches* `str(value)` (pandas `str.contains`), so a number is matched as its text;
  in_set is `Series.isin`.
- compound_columns_to_be_unique: `DataFrame.duplicated(keep=False)` over the rows that
  ignore_row_if keeps (default all_values_are_missing; any_value_is_missing; never).
- column_pair_values_a_to_be_greater_than_b: A > B, or A >= B with or_equal, over the
  rows ignore_row_if keeps (default both_values_are_missing; either_value_is_missing;
  neither); a missing side left in compares False and is unexpected.
- mostly (default 1): success when (considered - unexpected) / considered >= mostly,
  vacuously true when nothing is considered.

The unexpected rows are reported as GX's COMPLETE result with unexpected_index_column_names
reports them: one dict per row, in frame order, of the expectation's columns and the
index columns, each value read with `DataFrame.at` as GX reads it.

An expectation type, a kwarg or a kwarg's value this module does not know raises
UnknownExpectation: a check that did not run must not look passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

NOT_NULL = "expect_column_values_to_not_be_null"
BETWEEN = "expect_column_values_to_be_between"
MATCH_REGEX = "expect_column_values_to_match_regex"
IN_SET = "expect_column_values_to_be_in_set"
UNIQUE = "expect_compound_columns_to_be_unique"
A_GREATER_THAN_B = "expect_column_pair_values_a_to_be_greater_than_b"

# The kwargs each known type accepts (GX's own names); anything else is refused.
KWARGS = {
    NOT_NULL: {"column", "mostly"},
    BETWEEN: {"column", "min_value", "max_value", "strict_min", "strict_max", "mostly"},
    MATCH_REGEX: {"column", "regex", "mostly"},
    IN_SET: {"column", "value_set", "mostly"},
    UNIQUE: {"column_list", "ignore_row_if", "mostly"},
    A_GREATER_THAN_B: {"column_A", "column_B", "ignore_row_if", "or_equal", "mostly"},
}
_REQUIRED = {
    NOT_NULL: {"column"},
    BETWEEN: {"column"},
    MATCH_REGEX: {"column", "regex"},
    IN_SET: {"column", "value_set"},
    UNIQUE: {"column_list"},
    A_GREATER_THAN_B: {"column_A", "column_B"},
}
# ignore_row_if: GX's default first, then the other values it accepts, and how each
# becomes DataFrame.dropna(how=...) over the expectation's columns (None: keep all).
_IGNORE_ROW_IF = {
    UNIQUE: {"all_values_are_missing": "all", "any_value_is_missing": "any", "never": None},
    A_GREATER_THAN_B: {
        "both_values_are_missing": "all",
        "either_value_is_missing": "any",
        "neither": None,
    },
}
_EXPECTATION_KEYS = {"type", "kwargs", "meta", "id", "notes", "description"}
_SUITE_KEYS = {"name", "meta", "expectations", "id", "notes"}


class UnknownExpectation(ValueError):
    """An expectation this engine cannot evaluate exactly as GX would."""


@dataclass(frozen=True)
class Expectation:
    """One expectation's configuration, as GX's ExpectationConfiguration names it."""

    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    name: str
    expectations: tuple[Expectation, ...]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a validation says of one expectation: whether it passed, and its unexpected
    rows (GX's `unexpected_index_list`)."""

    success: bool
    unexpected_index_list: list[dict[str, Any]]


def read_suite(path: Path) -> Suite:
    """A suite file of expectations/, every expectation checked (check_expectation)."""
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    unknown = set(data) - _SUITE_KEYS
    if unknown:
        raise UnknownExpectation(f"{path.name}: unknown suite keys {sorted(unknown)}")
    expectations = []
    for item in data.get("expectations", []):
        unknown = set(item) - _EXPECTATION_KEYS
        if unknown:
            raise UnknownExpectation(f"{path.name}: unknown expectation keys {sorted(unknown)}")
        expectation = Expectation(item["type"], dict(item.get("kwargs") or {}), item.get("meta"))
        check_expectation(expectation)
        expectations.append(expectation)
    return Suite(data["name"], tuple(expectations), data.get("meta") or {})


def check_expectation(config) -> None:
    """Raise UnknownExpectation unless `config` (type, kwargs) is one this engine evaluates
    exactly as GX would."""
    where = f"{config.type} {config.kwargs}"
    if config.type not in KWARGS:
        raise UnknownExpectation(f"{where}: unknown expectation type")
    kwargs = config.kwargs
    unknown = set(kwargs) - KWARGS[config.type]
    if unknown:
        raise UnknownExpectation(f"{where}: unknown kwargs {sorted(unknown)}")
    missing = _REQUIRED[config.type] - set(kwargs)
    if missing:
        raise UnknownExpectation(f"{where}: missing kwargs {sorted(missing)}")
    for key in ("column", "column_A", "column_B", "regex"):
        if key in kwargs and not isinstance(kwargs[key], str):
            raise UnknownExpectation(f"{where}: {key} must be a string")
    if "column_list" in kwargs:
        columns = kwargs["column_list"]
        if not isinstance(columns, list | tuple) or len(columns) < 2:
            raise UnknownExpectation(f"{where}: column_list must list two columns or more")
        if not all(isinstance(c, str) for c in columns):
            raise UnknownExpectation(f"{where}: column_list must list column names")
    for key in ("strict_min", "strict_max", "or_equal"):
        if key in kwargs and not isinstance(kwargs[key], bool | None):
            raise UnknownExpectation(f"{where}: {key} must be true or false")
    if "mostly" in kwargs and not (_is_number(kwargs["mostly"]) and 0 <= kwargs["mostly"] <= 1):
        raise UnknownExpectation(f"{where}: mostly must be a number from 0 to 1")
    if config.type == BETWEEN:
        bounds = [kwargs.get("min_value"), kwargs.get("max_value")]
        if all(b is None for b in bounds):
            raise UnknownExpectation(f"{where}: min_value and max_value are both missing")
        if not all(b is None or _is_number(b) for b in bounds):
            raise UnknownExpectation(f"{where}: only numeric bounds are known")
    if config.type == IN_SET and not isinstance(kwargs["value_set"], list):
        raise UnknownExpectation(f"{where}: value_set must be a list")
    if "ignore_row_if" in kwargs and kwargs["ignore_row_if"] not in _IGNORE_ROW_IF[config.type]:
        raise UnknownExpectation(f"{where}: unknown ignore_row_if {kwargs['ignore_row_if']!r}")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def evaluate(config, frame: pd.DataFrame, index_columns: list[str]) -> Outcome:
    """One expectation (anything with GX's `type` and `kwargs`: an Expectation here or a
    GX ExpectationConfiguration) over `frame`, its unexpected rows named by
    `index_columns`. A column missing from the frame raises KeyError. Only the
    expectation's columns are filtered, never the whole frame: GX's row filters as masks."""
    check_expectation(config)
    kwargs = config.kwargs
    columns = _columns(config)
    missing = [c for c in [*columns, *index_columns] if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame")
    if config.type in _IGNORE_ROW_IF:
        domain = frame[columns]
        kept = _kept_rows(domain, config.type, kwargs.get("ignore_row_if"))
        rows = domain[kept]
        failed = _unexpected_pair_or_compound(config.type, rows, kwargs)
    else:
        column = frame[columns[0]]
        if config.type == NOT_NULL:
            kept = np.ones(len(frame), dtype=bool)
            failed = column.isna().to_numpy()
        else:
            kept = column.notna().to_numpy()
            failed = ~_meets(config.type, column[kept], kwargs).to_numpy(dtype=bool)
    considered = int(np.count_nonzero(kept))
    positions = np.flatnonzero(kept)[failed]
    success = len(frame) == 0 or considered == 0 or _mostly(considered, len(positions), kwargs)
    return Outcome(success, _index_list(frame, positions, columns, index_columns))


def _columns(config) -> list[str]:
    kwargs = config.kwargs
    if config.type == UNIQUE:
        return list(kwargs["column_list"])
    if config.type == A_GREATER_THAN_B:
        return [kwargs["column_A"], kwargs["column_B"]]
    return [kwargs["column"]]


def _kept_rows(columns: pd.DataFrame, type_: str, ignore_row_if) -> np.ndarray:
    """The rows GX's PandasExecutionEngine.get_domain_records keeps: its
    DataFrame.dropna(how=...) over the expectation's columns, as a mask."""
    choices = _IGNORE_ROW_IF[type_]
    how = choices[ignore_row_if if ignore_row_if is not None else next(iter(choices))]
    if how is None:
        return np.ones(len(columns), dtype=bool)
    missing = columns.isna()
    return ~(missing.any(axis=1) if how == "any" else missing.all(axis=1)).to_numpy()


def _unexpected_pair_or_compound(type_: str, rows: pd.DataFrame, kwargs: dict) -> np.ndarray:
    if type_ == UNIQUE:
        return rows[list(kwargs["column_list"])].duplicated(keep=False).to_numpy(dtype=bool)
    a, b = rows[kwargs["column_A"]], rows[kwargs["column_B"]]
    meets = a >= b if kwargs.get("or_equal") else a > b
    return ~meets.to_numpy(dtype=bool)


def _meets(type_: str, column: pd.Series, kwargs: dict) -> pd.Series:
    """Which non-null values meet a column expectation (GX's _pandas condition)."""
    if type_ == MATCH_REGEX:
        return column.astype(str).str.contains(kwargs["regex"])
    if type_ == IN_SET:
        return column.isin(kwargs["value_set"])
    return _between(
        column,
        _bound(kwargs.get("min_value")),
        _bound(kwargs.get("max_value")),
        bool(kwargs.get("strict_min")),
        bool(kwargs.get("strict_max")),
    )


def _bound(value):
    """GX's Comparable field holds a number as a float."""
    return None if value is None else float(value)


def _between(column: pd.Series, low, high, strict_min: bool, strict_max: bool) -> pd.Series:
    """ColumnValuesBetween._pandas: vectorised for int, float and datetime columns, else
    value by value, a string against a numeric bound refused."""
    if low is not None and high is not None and low > high:
        raise ValueError("min_value cannot be greater than max_value")
    vectorised = column.dtype in [int, float] or (
        isinstance(column.dtype, pd.DatetimeTZDtype)
        or pd.api.types.is_datetime64_ns_dtype(column.dtype)
    )
    if vectorised:
        return _compare(column, low, high, strict_min, strict_max)

    def is_between(value) -> bool:
        if isinstance(value, str):
            raise TypeError(
                "Column values, min_value, and max_value must either be None or of the same type."
            )
        return bool(_compare(value, low, high, strict_min, strict_max))

    return column.map(is_between)


def _compare(value, low, high, strict_min: bool, strict_max: bool):
    above = True if low is None else (value > low if strict_min else value >= low)
    below = True if high is None else (value < high if strict_max else value <= high)
    if low is None:
        return below
    if high is None:
        return above
    return above & below


def _mostly(considered: int, unexpected: int, kwargs: dict) -> bool:
    mostly = kwargs.get("mostly", 1)
    return (float(considered) - float(unexpected)) / float(considered) >= mostly


def _index_list(
    frame: pd.DataFrame, positions: np.ndarray, columns: list[str], index_columns: list[str]
) -> list[dict]:
    """GX's compute_unexpected_pandas_indices for named index columns: for each
    unexpected row, in frame order, its value of each column read with DataFrame.at."""
    names = list(dict.fromkeys([*columns, *index_columns]))
    labels = frame.index[positions]
    return [{name: frame.at[label, name] for name in names} for label in labels]
