"""`xmk sql` (SPEC §8): read-only queries on the published snapshot, marts by bare name,
as an aligned table, CSV or JSON; exit 0 ok, 1 query error or refused, 2 no snapshot."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from dagster_project.cli import main
from dagster_project.publish.analyst_sql import display_width
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.settings import REPO_ROOT
from tests.publish.crafted_warehouse import Edition, build_warehouse, read_state

SMALL = Edition(1, months=9, projects=5)
REGIONS_QUERY = "select region_code, region_name, rank_group from dim_region order by region_code"


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("warehouse")
    build_warehouse(directory / "warehouse.duckdb", SMALL)
    publish_snapshot(directory / "warehouse.duckdb", directory / "published.duckdb")
    return directory


@pytest.fixture
def xmk_sql(warehouse_dir, capsys):
    """Run `xmk sql QUERY ARGS…` in-process: (exit code, stdout, stderr)."""

    def run(query: str, *args: str, warehouse=warehouse_dir):
        code = main(["sql", query, "--warehouse", str(warehouse), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_marts_answer_to_their_bare_names(xmk_sql):
    code, out, err = xmk_sql("select count(*) as n from rpt_arena_monthly")
    assert (code, err) == (0, "")
    assert out.splitlines()[2].strip() == str(SMALL.arena_rows)

    code, out, _ = xmk_sql("select count(*) as n from marts.rpt_arena_monthly")
    assert code == 0 and out.splitlines()[2].strip() == str(SMALL.arena_rows)


def test_show_tables_lists_the_marts(xmk_sql):
    code, out, _ = xmk_sql("show tables", "--format", "json")
    assert code == 0
    assert [r["name"] for r in json.loads(out)] == [
        "dim_region",
        "fct_project_monthly",
        "rpt_arena_monthly",
    ]


def test_table_lines_up_chinese_region_names(xmk_sql):
    code, out, _ = xmk_sql(REGIONS_QUERY)
    assert code == 0
    header, rule, *rows, footer = out.splitlines()
    assert [r.split()[1] for r in rows] == ["昌邑区", "吉林中国新加坡食品区", "蛟河市"]
    assert footer == "(3 rows)"
    # rank_group starts in the same terminal column on every line.
    start = display_width(header[: header.index("rank_group")])
    for row in rows:
        group = row.split()[-1]
        assert display_width(row[: row.index(group)]) == start
    assert rule.split() == ["-" * 11, "-" * 20, "-" * 10]  # 吉林中国新加坡食品区: 20 columns


def test_table_aligns_numbers_right_and_shows_null(xmk_sql):
    code, out, _ = xmk_sql(
        "select region_code, rank, note from rpt_arena_monthly "
        "where period_month = '2026-09-01' and indicator = 'fai_growth' order by region_code"
    )
    assert code == 0
    assert out.splitlines()[2:] == [
        "220202          1  NULL",
        "220273          1  开发区单独排名",
        "220281          2  NULL",
        "(3 rows)",
    ]


def test_display_width_counts_wide_characters_twice():
    assert display_width("蛟河市") == 6
    assert display_width("fai_growth") == 10
    assert display_width("（二）") == 6  # full-width brackets
    assert display_width("e\u0301") == 1  # e + combining acute accent


def test_csv_parses_back(xmk_sql):
    code, out, _ = xmk_sql(
        "select period_month, region_code, rank, note, value from rpt_arena_monthly "
        "where period_month = '2026-09-01' and indicator = 'fai_growth' order by region_code",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["region_code"] for r in rows] == ["220202", "220273", "220281"]
    assert rows[1] == {
        "period_month": "2026-09-01",
        "region_code": "220273",
        "rank": "1",
        "note": "开发区单独排名",
        "value": "0.123",
    }
    assert rows[0]["note"] == ""  # NULL


def test_json_is_records_with_iso_dates_and_chinese_as_is(xmk_sql):
    code, out, _ = xmk_sql(
        "select period_month, region_code, rank, note, value, true as flag "
        "from rpt_arena_monthly where period_month = '2026-09-01' "
        "and indicator = 'fai_growth' order by region_code",
        "--format",
        "json",
    )
    assert code == 0
    assert "开发区单独排名" in out  # not \\u escapes
    assert json.loads(out) == [
        {"period_month": "2026-09-01", "region_code": "220202", "rank": 1, "note": None,
         "value": 0.123, "flag": True},
        {"period_month": "2026-09-01", "region_code": "220273", "rank": 1,
         "note": "开发区单独排名", "value": 0.123, "flag": True},
        {"period_month": "2026-09-01", "region_code": "220281", "rank": 2, "note": None,
         "value": 0.123, "flag": True},
    ]  # fmt: skip


def test_empty_result(xmk_sql):
    query = "select * from dim_region where false"
    assert xmk_sql(query, "--format", "json")[:2] == (0, "[]\n")
    assert xmk_sql(query, "--format", "csv")[1] == "region_code,region_name,rank_group,edition\n"
    assert xmk_sql(query)[1].splitlines()[-1] == "(0 rows)"


def test_several_statements_print_the_last_result(xmk_sql):
    code, out, _ = xmk_sql(
        "set TimeZone = 'Asia/Shanghai'; select current_setting('TimeZone') as tz",
        "--format",
        "csv",
    )
    assert (code, out) == (0, "tz\nAsia/Shanghai\n")


def test_pivot_reads(xmk_sql):
    code, out, err = xmk_sql(
        "pivot (select region_code, indicator, rank from rpt_arena_monthly "
        "where period_month = '2026-09-01') on indicator using max(rank) order by region_code",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)[2] == {"region_code": "220281", "big_project_count": 2, "fai_growth": 2}


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("insert into rpt_arena_monthly select * from rpt_arena_monthly", "INSERT"),
        ("update marts.dim_region set region_name = 'x'", "UPDATE"),
        ("delete from marts.dim_region", "DELETE"),
        ("drop table marts.dim_region", "DROP"),
        ("create temp table t as select 1", "CREATE"),
        ("select 1; delete from marts.dim_region", "DELETE"),
    ],
)
def test_writing_is_refused(xmk_sql, warehouse_dir, query, kind):
    code, out, err = xmk_sql(query)
    assert (code, out) == (1, "")
    assert err.startswith(f"xmk sql: read-only: a {kind} statement is refused.")
    assert "xmk run" in err
    assert read_state(warehouse_dir / "published.duckdb")[0] == SMALL.project_rows


def test_writing_files_or_other_databases_is_refused(xmk_sql, tmp_path):
    target = tmp_path / "out.csv"
    for query in (
        f"copy dim_region to '{target}'",
        f"attach '{tmp_path / 'other.duckdb'}' as other",
        f"export database '{tmp_path / 'dump'}'",
    ):
        code, _, err = xmk_sql(query)
        assert code == 1 and "read-only" in err, query
    assert list(tmp_path.iterdir()) == []


def test_a_query_error_exits_1_with_duckdbs_message(xmk_sql):
    code, out, err = xmk_sql("select * from no_such_mart")
    assert (code, out) == (1, "")
    assert err.startswith("xmk sql: Catalog Error") and "no_such_mart" in err


def test_missing_snapshot_exits_2_and_says_to_run_first(xmk_sql, tmp_path):
    code, out, err = xmk_sql("select 1", warehouse=tmp_path / "empty")
    assert (code, out) == (2, "")
    assert "no published snapshot yet" in err and "run `xmk run` first" in err


def test_warehouse_folder_from_the_environment(warehouse_dir, capsys, monkeypatch):
    monkeypatch.setenv("XMK_WAREHOUSE_DIR", str(warehouse_dir))
    assert main(["sql", "select count(*) as n from dim_region", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "n\n3\n"


def test_command_writes_utf8_whatever_the_locale(warehouse_dir):
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "sql", REGIONS_QUERY,
         "--warehouse", str(warehouse_dir), "--format", "csv"],
        cwd=REPO_ROOT, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8").splitlines()[2] == "220273,吉林中国新加坡食品区,开发区"
