"""`xmk sql` without a query: an interactive SQL shell on the published snapshot.

Analysts have no `duckdb` command on PATH, so the shell is the warehouse's own DuckDB on the
connection `xmk sql QUERY` opens (`connect_snapshot`: read-only, DuckDB's safety settings,
marts by their bare names), and it prints each statement's result as the one-shot mode does
(`--format`; the table rounds numbers). One connection serves the whole session, so a
temporary table or a SET VARIABLE lasts until the shell ends.

A statement runs when a `;` outside quotes and comments ends it, so it may span lines; a
line may hold several. `.quit`, `.exit` or Ctrl-D leave, `.tables` lists the marts, `.help`
says this. At a terminal, lines are edited with readline and kept in `~/.xmk_sql_history`;
Ctrl-C drops the statement being typed or stops the one running. From a pipe the shell reads
the statements without prompts, runs a last one left without `;`, and exits 1 when any
statement failed.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb

from dagster_project.publish.analyst_sql import RefusedQuery, one_line, run_query, write_result

PROMPT = "xmk> "
CONTINUE_PROMPT = "...> "
HISTORY_FILE = ".xmk_sql_history"
HISTORY_LENGTH = 1000
HELP = """\
Read-only SQL on the published snapshot; marts answer to their bare names.
End a statement with ; (it may span lines).
  .tables   list the marts
  .help     this text
  .quit     leave (also .exit or Ctrl-D)"""


def split_statements(text: str) -> tuple[list[str], str]:
    """The statements `text` completes (each up to and including its `;`) and what is left
    of it. A `;` inside a string ('…', with '' for a quote), a quoted name ("…"), a $$…$$
    string or a comment (-- to the end of the line, /* … */) ends nothing. What is left is
    "" when it holds only white space and finished comments."""
    statements: list[str] = []
    start = i = 0
    code_after_start = False  # anything but white space and comments since `start`
    inside: str | None = None  # the delimiter that opened a string or comment
    closing = {"'": "'", '"': '"', "$$": "$$", "--": "\n", "/*": "*/"}
    while i < len(text):
        if inside is not None:
            end = closing[inside]
            if text.startswith(end, i):
                if inside in ("'", '"') and text.startswith(end * 2, i):
                    i += 2  # '' inside '…' is a quote
                    continue
                inside = None
                i += len(end)
                continue
            i += 1
            continue
        opener = next((o for o in closing if text.startswith(o, i)), None)
        if opener is not None:
            inside = opener
            code_after_start = code_after_start or opener in ("'", '"', "$$")
            i += len(opener)
            continue
        ch = text[i]
        if ch == ";":
            statements.append(text[start : i + 1])
            start, code_after_start = i + 1, False
        elif not ch.isspace():
            code_after_start = True
        i += 1
    rest = text[start:]
    return statements, rest if code_after_start or inside is not None else ""


@dataclass
class Shell:
    con: duckdb.DuckDBPyConnection
    fmt: str
    out: TextIO
    err: TextIO
    interactive: bool
    failed: bool = False
    _pending: list[str] = field(default_factory=list)  # lines of the statement being typed

    def run(self, stdin: TextIO) -> int:
        # input() edits with readline, and so keeps history, only between two terminals.
        history = _History.open() if self.interactive and self.out.isatty() else None
        if self.interactive:
            print('xmk sql — the published snapshot, read-only. ".help" for help.', file=self.out)
        try:
            while True:
                try:
                    line = self._read(stdin)
                except EOFError:
                    if self.interactive:
                        print(file=self.out)  # Ctrl-D: the caller's prompt on a line of its own
                    break
                except KeyboardInterrupt:  # drop what was being typed
                    print(file=self.out)
                    self._pending.clear()
                    continue
                if not self._pending and line.strip().startswith("."):
                    if not self._command(line.strip()):
                        break
                    continue
                self._pending.append(line)
                statements, rest = split_statements("\n".join(self._pending) + "\n")
                if statements and history is not None:
                    history.keep_as_one(len(self._pending))
                self._pending = [rest.strip("\n")] if rest else []
                for statement in statements:
                    self._execute(statement)
            if self._pending:  # the end of the input ends the last statement
                self._execute("\n".join(self._pending))
        finally:
            if history is not None:
                history.save()
        return 0 if self.interactive else int(self.failed)

    def _read(self, stdin: TextIO) -> str:
        if self.interactive:
            return input(CONTINUE_PROMPT if self._pending else PROMPT)
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n").rstrip("\r")

    def _command(self, line: str) -> bool:
        """Run a dot command; False when it ends the session."""
        name = line.split()[0].lower()
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".help":
            print(HELP, file=self.out)
        elif name == ".tables":
            self._execute("show tables")
        else:
            print(f'xmk sql: unknown command {name} (".help" lists them)', file=self.err)
            self.failed = True
        return True

    def _execute(self, statement: str) -> None:
        try:
            if not self.con.extract_statements(statement):
                return  # only a ; or a comment
            result = run_query(self.con, statement)
            if result is not None:
                write_result(result, self.fmt, self.out)
        except (RefusedQuery, duckdb.Error) as e:
            self.failed = True
            self.out.flush()
            print(f"xmk sql: {one_line(e)}", file=self.err)
        except KeyboardInterrupt:
            self.con.interrupt()
            self.failed = True
            self.out.flush()
            print("xmk sql: interrupted", file=self.err)
        self.out.flush()
        self.err.flush()


class _History:
    """readline's history, kept in ~/.xmk_sql_history; a statement typed over several
    lines is kept as one entry."""

    def __init__(self, readline, path: Path | None):
        self.readline = readline
        self.path = path

    @classmethod
    def open(cls) -> _History | None:
        try:
            import readline
        except ImportError:  # no readline (Windows): input() still works, without history
            return None
        try:
            path = Path.home() / HISTORY_FILE
        except RuntimeError:  # no home directory
            path = None
        readline.set_history_length(HISTORY_LENGTH)
        if path is not None and path.is_file():
            with contextlib.suppress(OSError):
                readline.read_history_file(path)
        return cls(readline, path)

    def keep_as_one(self, lines: int) -> None:
        """The last `lines` entries, one statement, become one entry."""
        if lines < 2:
            return
        length = self.readline.get_current_history_length()
        entries = [self.readline.get_history_item(length - lines + 1 + i) for i in range(lines)]
        for _ in range(lines):
            self.readline.remove_history_item(self.readline.get_current_history_length() - 1)
        self.readline.add_history(" ".join(e.strip() for e in entries if e))

    def save(self) -> None:
        if self.path is None:
            return
        # History is a convenience: a read-only home does not stop the shell.
        with contextlib.suppress(OSError):
            self.readline.write_history_file(self.path)


def run_shell(con: duckdb.DuckDBPyConnection, fmt: str) -> int:
    """The shell on stdin/stdout; interactive when stdin is a terminal."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")
    shell = Shell(con, fmt, sys.stdout, sys.stderr, interactive=sys.stdin.isatty())
    return shell.run(sys.stdin)
