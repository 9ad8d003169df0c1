"""`xmk sql` without a query: the interactive shell on the published snapshot, run as the
analyst runs it (`.venv/bin/xmk sql`), from a pipe and at a terminal (a pty)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_project.publish.sql_shell import split_statements
from tests.publish.crafted_warehouse import Edition, build_snapshot

XMK = Path(sys.executable).parent / "xmk"
SMALL = Edition(1, months=9, projects=5)


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory):
    return build_snapshot(tmp_path_factory.mktemp("warehouse"), SMALL)


def shell(warehouse, stdin: str, *args: str, home=None) -> subprocess.CompletedProcess:
    """`xmk sql` with `stdin` piped in: (exit code, stdout, stderr) as text."""
    env = {**os.environ, "HOME": str(home or warehouse)}
    return subprocess.run(
        [str(XMK), "sql", "--warehouse", str(warehouse), *args],
        input=stdin.encode("utf-8"), env=env, capture_output=True, timeout=120,
    )  # fmt: skip


# ------------------------------------------------------------------ statements


def test_a_semicolon_ends_a_statement_that_spans_lines():
    assert split_statements("select 1,\n2;\n") == (["select 1,\n2;"], "")
    assert split_statements("select 1,\n") == ([], "select 1,\n")


def test_one_line_may_hold_several_statements_and_the_start_of_the_next():
    assert split_statements("select 1; select 2; select\n") == (
        ["select 1;", " select 2;"],
        " select\n",
    )


def test_a_semicolon_in_a_string_a_name_or_a_comment_ends_nothing():
    for text in (
        "select 'a;b' as x",
        "select 'it''s; fine' as x",
        'select 1 as "a;b"',
        "select $$a;b$$ as x",
        "select 1 -- a ; comment\n",
        "select /* ; */ 1",
    ):
        assert split_statements(text + ";\n") == ([text + ";"], ""), text
        assert split_statements(text + "\n") == ([], text + "\n"), text


def test_an_open_string_or_comment_waits_for_the_next_line():
    assert split_statements("select 'a;\n") == ([], "select 'a;\n")
    assert split_statements("/* a;\n") == ([], "/* a;\n")


def test_only_comments_left_over_is_nothing_left():
    assert split_statements("select 1; -- done\n") == (["select 1;"], "")
    assert split_statements("select 1; /* done */\n") == (["select 1;"], "")


# ------------------------------------------------------------------ from a pipe


def test_piped_statements_print_each_result_in_turn(warehouse_dir):
    done = shell(
        warehouse_dir,
        "select region_code, region_name\n"
        "from dim_region -- a ; in a comment\n"
        "order by region_code;\n"
        "select count(*) as n from rpt_arena_monthly; select 'a;b' as s;\n",
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8").splitlines() == [
        "region_code  region_name",
        "-----------  --------------------",
        "220202       昌邑区",
        "220273       吉林中国新加坡食品区",
        "220281       蛟河市",
        "(3 rows)",
        " n",
        "--",
        str(SMALL.arena_rows),
        "(1 row)",
        "s",
        "---",
        "a;b",
        "(1 row)",
    ]


def test_the_shell_rounds_the_table_and_csv_keeps_every_digit(warehouse_dir):
    query = "select 40000 / 3 as fai_ytd_wan, 4 / 7 as start_resume_rate;\n"
    done = shell(warehouse_dir, query)
    assert done.returncode == 0
    assert done.stdout.decode().splitlines()[2].split() == ["13333.33", "0.5714"]
    done = shell(warehouse_dir, query, "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.decode().splitlines() == [
        "fai_ytd_wan,start_resume_rate",
        f"{40000 / 3},{4 / 7}",
    ]


def test_a_session_keeps_its_temporary_tables_and_variables(warehouse_dir):
    done = shell(
        warehouse_dir,
        "create temp table mine as select region_code from dim_region "
        "where rank_group = '开发区';\n"
        "set variable n = (select count(*) from dim_region);\n"
        "select region_code, getvariable('n') as n from mine;\n",
        "--format",
        "csv",
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode() == "region_code,n\n220273,3\n"


def test_a_refused_statement_says_why_and_the_session_goes_on(warehouse_dir, tmp_path):
    before = sorted(p.name for p in warehouse_dir.iterdir())
    done = shell(
        warehouse_dir,
        f"copy dim_region to '{tmp_path}/x.csv';\n"
        "delete from marts.dim_region;\n"
        "set enable_external_access = true;\n"
        "select count(*) as n from dim_region;\n",
        "--format",
        "csv",
    )
    err = done.stderr.decode().splitlines()
    assert done.returncode == 1  # from a pipe, a failed statement fails the script
    assert done.stdout.decode() == "n\n3\n"
    assert [line.split(":")[1].strip() for line in err] == [
        "refused (xmk sql reads the published snapshot and nothing else)",
        "read-only (data changes come from raw/ through `xmk run`)",
        "refused (settings are fixed in xmk sql; SET VARIABLE works)",
    ]
    assert list(tmp_path.iterdir()) == []
    assert sorted(p.name for p in warehouse_dir.iterdir()) == before


def test_quit_ends_the_session_and_nothing_after_it_runs(warehouse_dir):
    for leave in (".quit", ".exit"):
        done = shell(
            warehouse_dir, f"select 1 as one;\n{leave}\nselect 2 as two;\n", "--format", "csv"
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, b"one\n1\n", b"")


def test_the_end_of_the_input_ends_the_last_statement(warehouse_dir):
    done = shell(warehouse_dir, "select 7 as seven", "--format", "csv")
    assert (done.returncode, done.stdout) == (0, b"seven\n7\n")


def test_tables_lists_the_marts(warehouse_dir):
    done = shell(warehouse_dir, ".tables\n", "--format", "csv")
    assert done.stdout.decode().split() == [
        "name", "dim_region", "fct_project_monthly", "rpt_arena_monthly"
    ]  # fmt: skip


def test_an_unknown_command_is_named(warehouse_dir):
    done = shell(warehouse_dir, ".tabels\nselect 1 as one;\n", "--format", "csv")
    assert done.returncode == 1 and done.stdout == b"one\n1\n"
    assert done.stderr.decode() == 'xmk sql: unknown command .tabels (".help" lists them)\n'


def test_no_snapshot_no_shell(tmp_path):
    done = shell(tmp_path / "empty", "select 1;\n")
    assert done.returncode == 2 and b"no published snapshot yet" in done.stderr


# ------------------------------------------------------------------ at a terminal


class Terminal:
    """`xmk sql` on a pseudo-terminal of its own, as an analyst's terminal runs it."""

    def __init__(self, warehouse: Path, home: Path):
        home.mkdir(exist_ok=True)
        self.seen = b""
        env = {**os.environ, "HOME": str(home), "TERM": "dumb"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: exec, never return into pytest
            try:
                os.execve(str(XMK), ["xmk", "sql", "--warehouse", str(warehouse)], env)
            finally:
                os._exit(127)

    def until(self, text: str, timeout: float = 60) -> str:
        """What the terminal shows from where the last call stopped up to `text`."""
        wanted = text.encode("utf-8")
        deadline = time.monotonic() + timeout
        while wanted not in self.seen:
            shown = self.seen.decode(errors="replace")
            assert time.monotonic() < deadline, f"no {text!r} in {shown!r}"
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child has gone
                    chunk = b""
                assert chunk, f"the shell ended before {text!r}: {shown!r}"
                self.seen += chunk
        end = self.seen.index(wanted) + len(wanted)
        shown, self.seen = self.seen[:end], self.seen[end:]
        return shown.decode("utf-8", errors="replace")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def interrupt(self, timeout: float = 60) -> None:
        """Ctrl-C, pressed as a person presses it: while the shell waits for a key.

        readline looks at a signal only when it interrupts its wait for the next key. A
        Ctrl-C that lands in the instant between echoing a key and waiting again (the
        test types far faster than a hand, and a loaded machine widens that instant) is
        seen only at the next key, so the test waits until the shell sleeps in that wait.
        """
        deadline = time.monotonic() + timeout
        while not self._waiting_for_a_key():
            assert time.monotonic() < deadline, "the shell never came back to wait for a key"
            time.sleep(0.01)
        self.type("\x03")

    def _waiting_for_a_key(self) -> bool:
        proc = Path("/proc") / str(self.pid)
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        wchan = (proc / "wchan").read_text()
        return state == "S" and ("poll" in wchan or "select" in wchan)

    def exit_code(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture
def terminal(warehouse_dir, tmp_path):
    term = Terminal(warehouse_dir, tmp_path / "home")
    yield term
    try:
        os.kill(term.pid, 9)
        os.waitpid(term.pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def test_at_a_terminal_a_statement_continues_until_its_semicolon(terminal, tmp_path):
    assert "xmk> " in terminal.until("xmk> ")
    terminal.type("select region_name,\r")
    terminal.until("...> ")
    terminal.type("4 / 7 as share from dim_region where region_code = '220281';\r")
    shown = terminal.until("(1 row)")
    assert "蛟河市       0.5714" in shown
    terminal.until("xmk> ")
    terminal.type(".quit\r")
    assert terminal.exit_code() == 0
    # The statement typed over two lines is one entry of the history.
    history = (tmp_path / "home" / ".xmk_sql_history").read_text(encoding="utf-8")
    assert history.splitlines()[-2:] == [
        "select region_name, 4 / 7 as share from dim_region where region_code = '220281';",
        ".quit",
    ]


def test_at_a_terminal_ctrl_c_drops_the_statement_and_ctrl_d_leaves(terminal):
    terminal.until("xmk> ")
    terminal.type("select 1 +")
    terminal.until("select 1 +")
    terminal.interrupt()  # Ctrl-C: a fresh prompt, nothing run
    terminal.until("xmk> ")
    terminal.type("select 2 as two;\r")
    shown = terminal.until("(1 row)")
    assert "error" not in shown.lower()
    terminal.until("xmk> ")
    terminal.type("\x04")  # Ctrl-D on an empty line
    assert terminal.exit_code() == 0


def test_the_history_of_an_earlier_session_is_read_back(warehouse_dir, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".xmk_sql_history").write_text("select 'from yesterday' as x;\n", encoding="utf-8")
    term = Terminal(warehouse_dir, home)
    term.until("xmk> ")
    term.type("\x1b[A\r")  # the up arrow recalls the last statement
    assert "from yesterday" in term.until("(1 row)")
    term.until("xmk> ")
    term.type(".quit\r")
    assert term.exit_code() == 0
