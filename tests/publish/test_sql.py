"""`xmk sql` (SPEC §8): read-only queries on the published snapshot, marts by bare name,
as an aligned table, CSV or JSON; exit 0 ok, 1 query error or refused, 2 no snapshot."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import duckdb
import pytest

from dagster_project.cli import main
from dagster_project.publish.analyst_sql import connect_snapshot, display_width
from dagster_project.publish.snapshot import publish_snapshot
from dagster_project.settings import REPO_ROOT
from tests.publish.crafted_warehouse import Edition, build_snapshot, build_warehouse, read_state

SMALL = Edition(1, months=9, projects=5)
REGIONS_QUERY = "select region_code, region_name, rank_group from dim_region order by region_code"


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory):
    return build_snapshot(tmp_path_factory.mktemp("warehouse"), SMALL)


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
    code, out, err = xmk_sql(
        "set variable n = (select count(*) from dim_region); "
        "select getvariable('n') as n, count(*) as rows from rpt_arena_monthly",
        "--format",
        "csv",
    )
    assert (code, out, err) == (0, f"n,rows\n3,{SMALL.arena_rows}\n", "")


def test_meta_says_what_the_snapshot_holds(xmk_sql):
    code, out, err = xmk_sql(
        "select s.latest_period_month, t.row_count from meta.snapshot s, meta.snapshot_tables t "
        "where t.table_name = 'rpt_arena_monthly'",
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == [{"latest_period_month": "2026-09-01", "row_count": SMALL.arena_rows}]


def test_temporary_tables_live_in_memory_for_the_session(xmk_sql, warehouse_dir):
    before = _files(warehouse_dir)
    code, out, err = xmk_sql(
        "create temp table mine as select region_code from dim_region where rank_group = '开发区'; "
        "select * from mine",
        "--format",
        "csv",
    )
    assert (code, out, err) == (0, "region_code\n220273\n", "")
    assert _files(warehouse_dir) == before
    assert xmk_sql("select * from mine")[0] == 1  # gone with the session


def test_pivot_reads(xmk_sql):
    code, out, err = xmk_sql(
        "pivot (select region_code, indicator, rank from rpt_arena_monthly "
        "where period_month = '2026-09-01') on indicator using max(rank) order by region_code",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)[2] == {"region_code": "220281", "big_project_count": 2, "fai_growth": 2}


# ------------------------------------------------------------------ rounded for reading


@pytest.fixture(scope="module")
def precise_warehouse(tmp_path_factory):
    """A snapshot whose region figures carry every digit DuckDB computed."""
    return build_snapshot(
        tmp_path_factory.mktemp("precise"),
        SMALL,
        lambda con: con.execute(
            "create table marts.fct_region_monthly as select '220281' as region_code, "
            "4 / 7 as start_resume_rate, 40000 / 3 as fai_ytd_wan, "
            "(0.6 - 10 / 12) * 100 as schedule_gap_pp, -1 / 100000 as fai_growth, "
            "3::bigint as big_project_count, 1234.5::decimal(18, 1) as planned_wan"
        ),
    )


REGION_FIGURES = (
    "select start_resume_rate, fai_ytd_wan, schedule_gap_pp, fai_growth, big_project_count, "
    "planned_wan from fct_region_monthly"
)


def test_table_rounds_amounts_to_2_decimals_and_rates_to_4(xmk_sql, precise_warehouse):
    code, out, err = xmk_sql(REGION_FIGURES, warehouse=precise_warehouse)
    assert (code, err) == (0, "")
    # 4/7, 13333.333…万元, −23.333… pp, −1/100000 (no "-0.0000"); integers and DECIMAL as
    # they are.
    assert out.splitlines()[2].split() == [
        "0.5714", "13333.33", "-23.33", "0.0000", "3", "1234.5"
    ]  # fmt: skip


def test_csv_and_json_carry_every_digit(xmk_sql, precise_warehouse):
    code, out, _ = xmk_sql(REGION_FIGURES, "--format", "csv", warehouse=precise_warehouse)
    assert code == 0
    row = _csv_rows(out)[1]
    assert [float(v) for v in row[:4]] == [4 / 7, 40000 / 3, (0.6 - 10 / 12) * 100, -0.00001]
    assert row[0] == "0.5714285714285714" and row[4:] == ["3", "1234.5"]
    code, out, _ = xmk_sql(REGION_FIGURES, "--format", "json", warehouse=precise_warehouse)
    assert code == 0
    assert json.loads(out)[0]["start_resume_rate"] == 4 / 7
    assert json.loads(out)[0]["fai_ytd_wan"] == 40000 / 3


def test_rounding_follows_the_column_name():
    from dagster_project.publish.analyst_sql import display_decimals

    assert [display_decimals(c) for c in ("total_investment_wan", "schedule_gap_pp")] == [2, 2]
    assert [display_decimals(c) for c in ("completion_rate", "value", "coverage_ratio")] == [4] * 3


SECRET = "TOPSECRET-7c1e"
NO_FILES = "file system operations are disabled by configuration"
LOCKED = "the configuration has been locked"
READ_ONLY = "attached in read-only mode"

# Each query, with `{out}` a folder outside the snapshot (holding only secret.txt, whose
# content is SECRET), and what DuckDB says when it refuses it.
REFUSED = {
    "explain_analyze_copy_to": ("explain analyze copy (select 1) to '{out}/x.csv'", NO_FILES),
    "copy_to": ("copy dim_region to '{out}/x.csv'", NO_FILES),
    "copy_to_parquet": (
        "copy (select * from rpt_arena_monthly) to '{out}/x.parquet' (format parquet)",
        NO_FILES,
    ),
    "export_database": ("export database '{out}/dump'", NO_FILES),
    "set_profiling_output": ("set profiling_output = '{out}/p'; select 1", LOCKED),
    "pragma_enable_profiling": ("pragma enable_profiling = 'json'; select 1", LOCKED),
    "set_log_query_path": ("set log_query_path = '{out}/q'; select 1", LOCKED),
    "enable_logging_to_file": (
        "call enable_logging('QueryLog', storage = 'file', storage_path = '{out}/logs')",
        LOCKED,
    ),
    "set_temp_directory": ("set temp_directory = '{out}/tmp'", LOCKED),
    "read_text": ("select * from read_text('{out}/secret.txt')", NO_FILES),
    "read_csv": ("select * from read_csv('{out}/secret.txt')", NO_FILES),
    "file_as_table": ("select * from '{out}/secret.txt'", "Catalog Error"),
    "glob": ("select * from glob('{out}/*')", NO_FILES),
    "read_parquet_url": (
        "select * from read_parquet('https://example.invalid/x.parquet')",
        NO_FILES,
    ),
    "install_httpfs": ("install httpfs", NO_FILES),
    "load_httpfs": ("load httpfs", "Loading external extensions is disabled through configuration"),
    "install_community_extension": ("install h3 from community", NO_FILES),
    "persistent_secret": ("create persistent secret (type s3, key_id 'k', secret 's')", NO_FILES),
    "attach_file": ("attach '{out}/other.duckdb' as other", NO_FILES),
    "attach_memory": ("attach ':memory:' as scratch", "read-only mode"),
    "set_enable_external_access": ("set enable_external_access = true", LOCKED),
    "reset_enable_external_access": ("reset enable_external_access", LOCKED),
    "unlock_configuration": ("set lock_configuration = false", LOCKED),
    "set_autoinstall": ("set autoinstall_known_extensions = true", LOCKED),
    "create_table": ("create table marts.dim_region2 as select * from dim_region", READ_ONLY),
    "create_view": ("create view v as select 1", READ_ONLY),
    "insert": ("insert into marts.rpt_arena_monthly select * from rpt_arena_monthly", READ_ONLY),
    "update": ("update marts.dim_region set region_name = 'x'", READ_ONLY),
    "delete": ("delete from marts.dim_region", READ_ONLY),
    "drop": ("drop table marts.dim_region", READ_ONLY),
    "delete_after_select": ("select 1; delete from marts.dim_region", READ_ONLY),
}


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """A folder outside the snapshot, holding secret.txt; HOME (where DuckDB keeps its
    extensions and persistent secrets) points into it."""
    (tmp_path / "secret.txt").write_text(f"name,value\n{SECRET},1\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


@pytest.mark.parametrize(("query", "says"), list(REFUSED.values()), ids=list(REFUSED))
def test_refused_and_nothing_written_or_read(xmk_sql, warehouse_dir, outside, query, says):
    snapshot = warehouse_dir / "published.duckdb"
    before = _files(warehouse_dir)
    code, out, err = xmk_sql(query.format(out=outside))
    assert (code, out) == (1, ""), err
    assert err.startswith("xmk sql: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert says in err
    if says == "Catalog Error":  # DuckDB does not even look for a file by that name
        assert err.startswith("xmk sql: Catalog Error")
    elif says in (READ_ONLY, "read-only mode"):
        assert err.startswith("xmk sql: read-only (data changes come from raw/ through `xmk run`)")
    else:
        assert err.startswith("xmk sql: refused (")
    assert SECRET not in out + err
    assert [p.name for p in outside.iterdir()] == ["secret.txt"]  # nothing written here
    assert _files(warehouse_dir) == before  # the snapshot's bytes, and no .wal beside it
    assert read_state(snapshot)[0] == SMALL.project_rows


def test_a_locked_setting_says_so(xmk_sql):
    code, _, err = xmk_sql("set enable_external_access = true")
    assert code == 1
    assert err == (
        "xmk sql: refused (settings are fixed in xmk sql; SET VARIABLE works): Invalid Input "
        'Error: Cannot change configuration option "enable_external_access" - the '
        "configuration has been locked\n"
    )


def test_the_snapshot_is_opened_with_duckdbs_safety_settings(warehouse_dir):
    con = connect_snapshot(warehouse_dir / "published.duckdb")
    try:
        settings = dict(
            con.execute(
                "select name, value from duckdb_settings() where name in "
                "('enable_external_access', 'autoload_known_extensions', "
                "'autoinstall_known_extensions', 'allow_community_extensions', "
                "'allow_unsigned_extensions', 'lock_configuration', 'access_mode')"
            ).fetchall()
        )
    finally:
        con.close()
    assert settings == {
        "access_mode": "read_only",
        "enable_external_access": "false",
        "autoload_known_extensions": "false",
        "autoinstall_known_extensions": "false",
        "allow_community_extensions": "false",
        "allow_unsigned_extensions": "false",
        "lock_configuration": "true",
    }


def test_no_python_object_of_the_caller_is_scanned(warehouse_dir):
    snapshot = str(warehouse_dir / "published.duckdb")
    caller_rows = duckdb.sql("select 'from the caller' as x").arrow()  # noqa: F841
    plain = duckdb.connect(snapshot, read_only=True)
    try:  # what an ordinary connection does with a name it does not know
        assert plain.execute("select * from caller_rows").fetchall() == [("from the caller",)]
    finally:
        plain.close()
    con = connect_snapshot(warehouse_dir / "published.duckdb")
    try:
        with pytest.raises(duckdb.CatalogException, match="caller_rows does not exist"):
            con.execute("select * from caller_rows")
    finally:
        con.close()


def test_csv_quotes_line_breaks_and_keeps_an_empty_field(xmk_sql):
    code, out, _ = xmk_sql(
        "select 'a' || chr(13) || 'b, \"c\"' as x, 'd' || chr(10) || 'e' as y",
        "--format",
        "csv",
    )
    assert code == 0
    assert out == 'x,y\n"a\rb, ""c""","d\ne"\n'
    assert _csv_rows(out) == [["x", "y"], ['a\rb, "c"', "d\ne"]]
    code, out, _ = xmk_sql("select null as x union all select ''", "--format", "csv")
    assert (code, _csv_rows(out)) == (0, [["x"], [""], [""]])


def test_the_real_command_refuses_files_and_extensions(warehouse_dir, tmp_path):
    (tmp_path / "secret.txt").write_text(f"name,value\n{SECRET},1\n", encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    for query in (
        f"copy dim_region to '{tmp_path}/x.csv'",
        f"select * from read_text('{tmp_path}/secret.txt')",
        "install httpfs",
    ):
        done = _command(query, warehouse_dir, env=env)
        err = done.stderr.decode()
        assert (done.returncode, done.stdout) == (1, b""), err
        assert err.startswith("xmk sql: refused") and err.count("\n") == 1, err
        assert NO_FILES in err and SECRET not in err
    assert [p.name for p in tmp_path.iterdir()] == ["secret.txt"]


def test_an_empty_query_is_refused(xmk_sql):
    assert xmk_sql(" ; ") == (1, "", "xmk sql: the query is empty\n")


def test_a_query_error_exits_1_with_duckdbs_message_on_one_line(xmk_sql):
    code, out, err = xmk_sql("select *\nfrom no_such_mart")
    assert (code, out) == (1, "")
    assert err.startswith("xmk sql: Catalog Error") and "no_such_mart" in err
    assert err.count("\n") == 1 and "LINE" not in err  # no query excerpt and caret


def test_an_unreadable_snapshot_exits_1_on_one_line(xmk_sql, tmp_path):
    (tmp_path / "published.duckdb").write_bytes(b"not a database")
    code, out, err = xmk_sql("select 1", warehouse=tmp_path)
    assert (code, out) == (1, "")
    assert err.startswith("xmk sql: ") and err.count("\n") == 1, err


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
    done = _command(REGIONS_QUERY, warehouse_dir, "--format", "csv", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode("utf-8").splitlines()[2] == "220273,吉林中国新加坡食品区,开发区"


# ------------------------------------------------------------------ CSV for spreadsheets

FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def formula_warehouse(tmp_path_factory):
    """A snapshot whose project names a spreadsheet would run as formulas."""
    directory = tmp_path_factory.mktemp("formulas")
    build_warehouse(directory / "warehouse.duckdb", SMALL)
    con = duckdb.connect(str(directory / "warehouse.duckdb"))
    try:
        con.execute(
            "create table marts.dim_project (project_key varchar, project_name varchar, "
            "total_investment_wan double, planned_wan decimal(18, 2), months integer, "
            "note varchar)"
        )
        con.executemany(
            "insert into marts.dim_project values (?, ?, ?, ?, ?, ?)",
            [
                ["P1", FORMULA_NAMES[0], -12.5, "-7.25", -3, "-12.5"],
                ["P2", FORMULA_NAMES[1], 1.5, "2.00", 0, None],
                ["P3", FORMULA_NAMES[2], -0.001, "-1.00", 12, "=1"],
                ["P4", FORMULA_NAMES[3], 0.0, "0.00", 1, "a=b"],
                ["P5", FORMULA_NAMES[4], 2.0, "3.00", 2, "'quoted"],
                ["P6", FORMULA_NAMES[5], 3.0, "4.00", 3, "正常项目"],
            ],
        )
    finally:
        con.close()
    publish_snapshot(directory / "warehouse.duckdb", directory / "published.duckdb")
    return directory


PROJECTS_QUERY = "select * from dim_project order by project_key"


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_escapes_cells_a_spreadsheet_would_run(xmk_sql, formula_warehouse):
    code, out, err = xmk_sql(PROJECTS_QUERY, "--format", "csv", warehouse=formula_warehouse)
    assert (code, err) == (0, "")
    header, *rows = _csv_rows(out)
    assert header == [
        "project_key", "project_name", "total_investment_wan", "planned_wan", "months", "note"
    ]  # fmt: skip
    assert [r[1] for r in rows] == ["'" + name for name in FORMULA_NAMES]
    assert rows[0] == ["P1", '\'=HYPERLINK("http://x","y")', "-12.5", "-7.25", "-3", "'-12.5"]
    # Numbers stay numbers; text that is harmless stays as it was.
    assert [r[2:5] for r in rows[1:4]] == [
        ["1.5", "2.00", "0"], ["-0.001", "-1.00", "12"], ["0.0", "0.00", "1"]
    ]  # fmt: skip
    assert [r[5] for r in rows] == ["'-12.5", "", "'=1", "a=b", "'quoted", "正常项目"]


def test_csv_escapes_column_names_a_pivot_took_from_values(xmk_sql, formula_warehouse):
    code, out, err = xmk_sql(
        "pivot (select project_name, months from dim_project where project_key in ('P1', 'P4')) "
        "on project_name using max(months)",
        "--format",
        "csv",
        warehouse=formula_warehouse,
    )
    assert (code, err) == (0, "")
    assert sorted(_csv_rows(out)[0]) == ["'-2+3", '\'=HYPERLINK("http://x","y")']


def test_table_and_json_show_values_as_they_are(xmk_sql, formula_warehouse):
    code, out, _ = xmk_sql(PROJECTS_QUERY, "--format", "json", warehouse=formula_warehouse)
    assert code == 0
    assert [r["project_name"] for r in json.loads(out)] == FORMULA_NAMES
    assert json.loads(out)[0]["total_investment_wan"] == -12.5
    code, out, _ = xmk_sql(
        "select project_name from dim_project where project_key = 'P1'", warehouse=formula_warehouse
    )
    assert code == 0 and out.splitlines()[2] == FORMULA_NAMES[0]


def test_the_real_command_writes_escaped_csv(formula_warehouse):
    done = _command(PROJECTS_QUERY, formula_warehouse, "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    rows = _csv_rows(done.stdout.decode("utf-8"))
    assert rows[1][1:4] == ['\'=HYPERLINK("http://x","y")', "-12.5", "-7.25"]
    assert [r[1] for r in rows[2:4]] == ["'+1+2", "'@SUM(A1)"]


# ------------------------------------------------------------------ helpers


def _command(query: str, warehouse, *args: str, env=None) -> subprocess.CompletedProcess:
    """The real `xmk sql`, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "sql", query,
         "--warehouse", str(warehouse), *args],
        cwd=REPO_ROOT, env=env, capture_output=True, timeout=120,
    )  # fmt: skip


def _files(directory) -> dict[str, str]:
    """Every file in `directory` and the sha256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(directory.iterdir())
    }


# ------------------------------------------------------------------ --working


def test_the_operator_reads_the_working_warehouse_and_nothing_else(tmp_path):
    """`xmk sql --working`: raw, quality and meta of warehouse.duckdb, read-only, under the
    same safety settings; the warehouse's lock is taken shared for the session."""
    from dagster_project.orchestration.warehouse_lock import warehouse_lock

    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema raw")
    con.execute("create table raw.manifest as select * from (values ('loaded'), ('loaded'), "
                "('rejected')) as t(status)")  # fmt: skip
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    counted = _command("select status, count(*) as files from raw.manifest group by 1 "
                       "order by 1", tmp_path, "--working", "--format", "csv")  # fmt: skip
    assert (counted.returncode, counted.stdout.decode()) == (
        0,
        "status,files\nloaded,2\nrejected,1\n",
    )
    for refused in ("delete from raw.manifest", f"copy raw.manifest to '{tmp_path}/x.csv'"):
        answer = _command(refused, tmp_path, "--working")
        assert answer.returncode == 1, refused
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "x.csv").exists()
    # While a run holds the warehouse to write, the session waits for it.
    with warehouse_lock(db, "a nightly run"):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "dagster_project.cli", "sql", "select 1 as one",
             "--warehouse", str(tmp_path), "--working"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            waiting.wait(timeout=5)
            pytest.fail("the session did not wait for the run")
        except subprocess.TimeoutExpired:
            pass
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0
    assert b"waiting for the warehouse, held by a nightly run" in err
    assert out.decode().split() == ["one", "---", "1", "(1", "row)"]
