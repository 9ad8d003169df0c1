"""The direct engine (quality/suite_engine.py) gives what Great Expectations gives: the
same failures on the demo city, and the same success and unexpected rows on small frames
built for each expectation type's edge cases."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dagster_project.contract import LISTS
from dagster_project.orchestration.warehouse_lock import connect_warehouse
from dagster_project.quality import suite_engine
from dagster_project.quality.list_rows import ROW_KEY
from dagster_project.quality.suites import (
    RESULT_FORMAT,
    _batches,
    check_frame,
    load_suites,
    suite_failures,
    validate_warehouse,
)
from dagster_project.settings import EXPECTATIONS_DIR
from tests.quality.conftest import OCTOBER

# --- the demo city --------------------------------------------------------------------


@pytest.fixture(scope="module")
def gx_suites():
    return load_suites()


@pytest.fixture(scope="module")
def direct_suites():
    return load_suites(engine="direct")


def test_every_suite_over_every_list_gives_the_same_failures(demo, gx_suites, direct_suites):
    _summary, db = demo
    con = connect_warehouse(db, read_only=True)
    try:
        total = 0
        for lst in LISTS:
            by_gx = suite_failures(con, lst.key, gx_suites[lst.key])
            by_direct = suite_failures(con, lst.key, direct_suites[lst.key], engine="direct")
            # The direct engine reads a GX suite's configurations as well.
            on_gx_suite = suite_failures(con, lst.key, gx_suites[lst.key], engine="direct")
            assert by_direct == by_gx, lst.key
            assert on_gx_suite == by_gx, lst.key
            total += len(by_gx)
    finally:
        con.close()
    assert total >= 30  # the demo's planted defects, not a vacuous agreement


def test_the_warehouse_validated_directly_is_validated_as_by_gx(demo, demo_failures):
    _summary, db = demo
    direct = validate_warehouse(db, engine="direct")
    assert direct == demo_failures
    rules = {f.rule for f in direct}
    # Failures of several expectation types, not only required fields.
    assert any(r.startswith("required_") for r in rules)
    assert len(rules) >= 5
    assert validate_warehouse(db, OCTOBER, engine="direct") == validate_warehouse(db, OCTOBER)


def test_the_direct_suites_are_the_gx_suites(gx_suites, direct_suites):
    for key, suite in gx_suites.items():
        gx_configs = [(e.configuration.type, e.configuration.kwargs) for e in suite.expectations]
        direct = [(e.type, e.kwargs) for e in direct_suites[key].expectations]
        assert len(direct) == len(gx_configs)
        for (type_, kwargs), (gx_type, gx_kwargs) in zip(direct, gx_configs, strict=True):
            assert type_ == gx_type
            assert kwargs == gx_kwargs  # 0 == 0.0: GX holds numeric bounds as floats


# --- one expectation on a small frame -------------------------------------------------


def _frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    keys = {"submission_id": ["s1"] * n, "sheet_name": ["在建"] * n, "excel_row": range(5, 5 + n)}
    return pd.DataFrame({**keys, **columns})


def _by_gx(type_: str, kwargs: dict, frame: pd.DataFrame):
    """GX's (success, unexpected_index_list) — or the exception it caught — for one
    expectation over `frame`."""
    import great_expectations as gx

    batch = _batches().get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name="t", expectations=[{"type": type_, "kwargs": kwargs}])
    (result,) = batch.validate(suite, result_format=RESULT_FORMAT).results
    info = result.exception_info or {}
    raised = info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values()
    )
    if raised:
        return "raised"
    return result.success, _comparable(result.result.get("unexpected_index_list") or [])


def _directly(type_: str, kwargs: dict, frame: pd.DataFrame):
    config = suite_engine.Expectation(type_, kwargs)
    try:
        outcome = suite_engine.evaluate(config, frame, ROW_KEY)
    except suite_engine.UnknownExpectation:
        raise
    except Exception:
        return "raised"
    return outcome.success, _comparable(outcome.unexpected_index_list)


def _comparable(rows: list[dict]) -> list[dict]:
    """NaN equal to NaN, numpy scalars as Python's."""

    def plain(v):
        v = v.item() if isinstance(v, np.generic) else v
        return "<NaN>" if isinstance(v, float) and math.isnan(v) else v

    return [{k: plain(v) for k, v in row.items()} for row in rows]


def _same(type_: str, kwargs: dict, frame: pd.DataFrame):
    by_gx = _by_gx(type_, kwargs, frame)
    assert _directly(type_, kwargs, frame) == by_gx
    return by_gx


NAN = float("nan")


@pytest.mark.parametrize(
    "values",
    [
        ["a", None, "", "b"],  # an empty string is not null
        [1.0, NAN, 3.0, NAN],
        [None, None, None, None],
        [pd.NaT, pd.Timestamp("2026-10-01"), pd.NaT, pd.Timestamp("2026-10-02")],
        ["a", "b", "c", "d"],
    ],
)
def test_not_null(values):
    _same("expect_column_values_to_not_be_null", {"column": "v"}, _frame(v=values))


def test_not_null_with_mostly():
    frame = _frame(v=["a", None, "b", "c"])
    assert _same("expect_column_values_to_not_be_null", {"column": "v", "mostly": 0.75}, frame)[0]
    assert not _same("expect_column_values_to_not_be_null", {"column": "v", "mostly": 0.8}, frame)[
        0
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_value": 0, "strict_min": True},
        {"min_value": 0},
        {"min_value": 0, "strict_min": False},
        {"min_value": 500},
        {"min_value": 0, "max_value": 500, "strict_max": True},
        {"max_value": 0},
        {"min_value": 0, "mostly": 0.5},
    ],
)
@pytest.mark.parametrize(
    "values",
    [
        [0.0, -1.0, NAN, 500.0, 0.5, None],
        [0, 1, 500, -3],  # int64
        [None, None, None],  # all null, object
        [NAN, NAN],  # all null, float
        pd.array([0, None, 501], dtype="Int64"),  # nullable integers, compared one by one
        [0, "12", 3.5],  # a string among numbers: GX raises
    ],
)
def test_between_at_the_boundary_and_around_nulls(kwargs, values):
    _same("expect_column_values_to_be_between", {"column": "v", **kwargs}, _frame(v=values))


REGEX = r"^\d{4}-\d{6}$"


@pytest.mark.parametrize(
    "values",
    [
        ["2024-123456", "x2024-123456", None, "", "2024-1234567"],
        [2024123456, 1, 3],  # numbers are matched as their text
        [1.5, NAN, 20.0],
        ["2024-123456", NAN, "abc"],
    ],
)
@pytest.mark.parametrize("regex", [REGEX, r"\d{3}", r"^$"])  # search, not match
def test_match_regex_searches_the_text_of_non_null_values(values, regex):
    _same("expect_column_values_to_match_regex", {"column": "v", "regex": regex}, _frame(v=values))


@pytest.mark.parametrize(
    "values",
    [
        ["新建", "续建", None, "", "新建 ", NAN],
        [1, 2, 3],
        [None, None],
    ],
)
def test_in_set_ignores_nulls(values):
    kwargs = {"column": "v", "value_set": ["新建", "续建", "扩建", "改建", 2]}
    _same("expect_column_values_to_be_in_set", kwargs, _frame(v=values))


@pytest.mark.parametrize("ignore_row_if", [None, "any_value_is_missing", "never"])
def test_compound_columns_unique_with_missing_keys(ignore_row_if):
    frame = _frame(
        a=["x", "x", None, None, "y", "y", "z", NAN],
        b=["1", "1", None, None, None, None, "2", NAN],
    )
    kwargs = {"column_list": ["a", "b"]}
    if ignore_row_if is not None:
        kwargs["ignore_row_if"] = ignore_row_if
    assert not _same("expect_compound_columns_to_be_unique", kwargs, frame)[0]


def test_compound_columns_unique_over_the_suites_keys():
    frame = _frame(project_code=["c1", "c1", None, None, "c2"])
    frame.loc[4, "sheet_name"] = "其他"
    kwargs = {
        "column_list": ["submission_id", "sheet_name", "project_code"],
        "ignore_row_if": "any_value_is_missing",
    }
    assert not _same("expect_compound_columns_to_be_unique", kwargs, frame)[0]


@pytest.mark.parametrize(
    "ignore_row_if", [None, "either_value_is_missing", "both_values_are_missing", "neither"]
)
@pytest.mark.parametrize("or_equal", [None, True, False])
def test_a_greater_than_b_with_one_side_null(ignore_row_if, or_equal):
    frame = _frame(a=[10.0, 5.0, NAN, 3.0, NAN, 4.0], b=[5.0, 5.0, 1.0, NAN, NAN, 9.0])
    kwargs = {"column_A": "a", "column_B": "b"}
    if ignore_row_if is not None:
        kwargs["ignore_row_if"] = ignore_row_if
    if or_equal is not None:
        kwargs["or_equal"] = or_equal
    _same("expect_column_pair_values_a_to_be_greater_than_b", kwargs, frame)


def test_a_greater_than_b_on_object_columns_with_none():
    frame = _frame(a=[10, None, 3], b=[None, 2, 1])
    kwargs = {"column_A": "a", "column_B": "b", "ignore_row_if": "either_value_is_missing"}
    _same("expect_column_pair_values_a_to_be_greater_than_b", kwargs, frame)


def test_an_empty_frame_passes_vacuously():
    frame = _frame(v=[])
    for type_, kwargs in [
        ("expect_column_values_to_not_be_null", {"column": "v"}),
        ("expect_column_values_to_match_regex", {"column": "v", "regex": "x"}),
    ]:
        assert _directly(type_, kwargs, frame) == (True, [])


# --- what the direct engine does not know ---------------------------------------------


@pytest.mark.parametrize(
    "type_, kwargs",
    [
        ("expect_column_values_to_be_unique", {"column": "v"}),
        ("expect_column_values_to_not_be_null", {"column": "v", "row_condition": "v > 1"}),
        ("expect_column_values_to_be_between", {"column": "v", "min_value": "2026-01-01"}),
        ("expect_column_values_to_be_between", {"column": "v"}),
        ("expect_column_values_to_match_regex", {"column": "v"}),
        ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"], "ignore_row_if": "x"}),
        ("expect_column_values_to_not_be_null", {"column": "v", "mostly": 2}),
    ],
)
def test_an_unknown_expectation_or_kwarg_raises(type_, kwargs):
    with pytest.raises(suite_engine.UnknownExpectation):
        suite_engine.evaluate(suite_engine.Expectation(type_, kwargs), _frame(v=[1]), ROW_KEY)


def test_a_suite_file_with_an_unknown_expectation_does_not_load(tmp_path):
    text = (EXPECTATIONS_DIR / "issue_ledger.json").read_text(encoding="utf-8")
    path = tmp_path / "issue_ledger.json"
    path.write_text(
        text.replace("expect_column_values_to_match_regex", "expect_column_values_to_be_odd"),
        encoding="utf-8",
    )
    with pytest.raises(suite_engine.UnknownExpectation, match="unknown expectation type"):
        suite_engine.read_suite(path)


def test_a_column_missing_from_the_frame_raises_in_check_frame(direct_suites):
    frame = _frame(project_name=["x"]).assign(region_code="220221", period_month=OCTOBER)
    with pytest.raises(RuntimeError, match="could not be evaluated"):
        check_frame(
            "under_construction", frame, direct_suites["under_construction"], {}, None, "direct"
        )


def test_the_direct_engine_does_not_import_great_expectations(demo):
    _summary, db = demo
    code = (
        "import sys\n"
        "import dagster_project.quality.self_check\n"
        "from dagster_project.quality.suites import validate_warehouse\n"
        f"assert validate_warehouse({str(db)!r}, engine='direct')\n"
        "heavy = [m for m in ('great_expectations', 'dagster', 'dbt') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
