"""The dbt command line and environment the Dagster asset uses (pure functions)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dagster_project.dbt.commands import dbt_build_args, dbt_environment, dbt_executable


def test_the_nightly_runs_dbt_build_and_lets_dagster_select():
    assert dbt_build_args() == ["build"]


def test_full_refresh_is_passed_on():
    assert dbt_build_args(full_refresh=True) == ["build", "--full-refresh"]


def test_unit_tests_are_left_out_when_asked():
    assert dbt_build_args(unit_tests=False) == ["build", "--exclude-resource-type", "unit_test"]


def test_vars_are_passed_as_json_with_chinese_kept():
    args = dbt_build_args(dbt_vars={"showcase_size": 8, "note": "擂台"})
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"showcase_size": 8, "note": "擂台"}
    assert "擂台" in args[2]


def test_profile_reads_the_warehouse_folder_as_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = dbt_environment(Path("warehouse"))
    assert env["XMK_WAREHOUSE_DIR"] == str(tmp_path / "warehouse")
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"


def test_dbt_is_the_one_beside_the_interpreter_not_the_one_on_path(tmp_path):
    # cron calls .venv/bin/xmk by its path with a PATH that lacks .venv/bin.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "dbt").write_text("#!/bin/sh\n")
    assert dbt_executable(tmp_path / "bin" / "python") == str(tmp_path / "bin" / "dbt")
    # xmk-dbt, which dies with the run, where it is installed
    (tmp_path / "bin" / "xmk-dbt").write_text("#!/bin/sh\n")
    assert dbt_executable(tmp_path / "bin" / "python") == str(tmp_path / "bin" / "xmk-dbt")
    assert dbt_executable(tmp_path / "elsewhere" / "python") == "dbt"


def test_the_code_location_runs_the_dbt_of_its_own_environment():
    from dagster_project.definitions import defs

    dbt = defs.resources["dbt"]
    assert dbt.dbt_executable == str(Path(sys.executable).parent / "xmk-dbt")
    assert Path(dbt.dbt_executable).is_file()
