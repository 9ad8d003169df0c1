"""When `dbt build` may be skipped: the fingerprint of what a build reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt.build_state import (
    BuildState,
    CheckOutcome,
    build_fingerprint,
    forget_build,
    inputs_digest,
    is_unchanged,
    last_build,
    project_digest,
    record_build,
)
from dagster_project.settings import DBT_PROJECT_DIR


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.under_construction (project_name varchar, ytd double)")
    con.execute("insert into raw.under_construction values ('A1项目', 800), ('A2项目', 400)")
    con.execute("create view raw.effective as select * from raw.under_construction")
    con.execute("create schema marts")
    con.execute("create table marts.fct as select 1 as x")
    yield con
    con.close()


def test_the_same_rows_give_the_same_digest_in_any_order(con):
    before = inputs_digest(con, ["raw"])
    con.execute("create table raw.shuffled as select * from raw.under_construction")
    con.execute("delete from raw.under_construction")
    con.execute("insert into raw.under_construction select * from raw.shuffled order by 1 desc")
    con.execute("drop table raw.shuffled")
    assert inputs_digest(con, ["raw"]) == before


def test_a_changed_value_changes_the_digest(con):
    before = inputs_digest(con, ["raw"])
    con.execute("update raw.under_construction set ytd = 801 where project_name = 'A1项目'")
    assert inputs_digest(con, ["raw"]) != before


def test_a_repeated_row_changes_the_digest(con):
    before = inputs_digest(con, ["raw"])
    con.execute("insert into raw.under_construction values ('A2项目', 400)")
    assert inputs_digest(con, ["raw"]) != before


def test_a_changed_view_changes_the_digest(con):
    before = inputs_digest(con, ["raw"])
    con.execute("create or replace view raw.effective as select 1 as one")
    assert inputs_digest(con, ["raw"]) != before


def test_what_dbt_writes_is_not_an_input(con):
    before = inputs_digest(con, ["raw"])
    con.execute("insert into marts.fct values (2)")
    assert inputs_digest(con, ["raw"]) == before


def test_an_edited_model_changes_the_project_digest(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_digest(project)
    assert project_digest(project) == before
    model = next((project / "models" / "marts").rglob("fct_region_monthly.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert project_digest(project) != before


def test_dbt_artifacts_are_not_code(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    before = project_digest(project)
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")
    assert project_digest(project) == before


def test_vars_on_the_command_line_are_part_of_the_fingerprint():
    assert build_fingerprint("in", "code", ["build"]) != build_fingerprint(
        "in", "code", ["build", "--vars", '{"showcase_size": 8}']
    )


def test_skip_only_for_the_same_fingerprint_and_no_more_than_was_built():
    last = BuildState("f1", ("marts/dim_region", "marts/fct_region_monthly"))
    assert is_unchanged(last, "f1", ["marts/dim_region"])
    assert is_unchanged(last, "f1", ["marts/dim_region", "marts/fct_region_monthly"])
    assert not is_unchanged(last, "f2", ["marts/dim_region"])
    assert not is_unchanged(last, "f1", ["marts/dim_region", "marts/dim_project"])
    assert not is_unchanged(None, "f1", ["marts/dim_region"])


def test_the_last_good_build_is_kept_in_the_warehouse_until_forgotten(con):
    assert last_build(con) is None
    state = BuildState("f1", ("marts/dim_region",), "run-1")
    record_build(con, state)
    record_build(con, BuildState("f2", ("marts/dim_region",), "run-2"))
    assert last_build(con) == BuildState("f2", ("marts/dim_region",), "run-2")
    forget_build(con)
    assert last_build(con) is None


def test_the_tests_of_the_last_build_are_kept_with_it(con):
    """What a skipped build reports for its checks: the outcomes of the build it skips."""
    checks = (
        CheckOutcome("marts/dim_region", "not_null_dim_region_region_code", True, "ERROR"),
        CheckOutcome("marts/fct_region_monthly", "fai_growth_in_range", False, "WARN"),
    )
    record_build(con, BuildState("f1", ("marts/dim_region",), "run-1", checks))
    assert last_build(con).checks == checks


def test_the_code_of_the_last_build_is_kept_with_it(con):
    """The incremental models keep what the last good build's code wrote: the nightly run
    compares that code with its own before it keeps them."""
    record_build(con, BuildState("f1", ("marts/dim_region",), "run-1", (), "project-digest"))
    assert last_build(con).project == "project-digest"


def test_a_build_state_of_an_earlier_version_reads_without_checks(con):
    con.execute("create schema meta")
    con.execute(
        "create table meta.dbt_build_state (fingerprint varchar, selection varchar[], "
        "run_id varchar, built_at timestamp)"
    )
    con.execute("insert into meta.dbt_build_state values ('f0', ['marts/x'], 'r0', now())")
    assert last_build(con) == BuildState("f0", ("marts/x",), "r0", ())


def test_the_build_state_is_outside_the_inputs(con):
    before = inputs_digest(con, ["raw"])
    record_build(con, BuildState("f1", ("marts/dim_region",), "run-1"))
    assert inputs_digest(con, ["raw"]) == before


def test_the_sources_of_the_project_are_read_from_its_manifest(dbt_manifest: Path):
    from dagster_project.dbt.build_state import source_schemas

    assert "raw" in source_schemas(dbt_manifest)
