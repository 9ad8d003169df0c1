"""`xmk sql`: analysts' queries on the published snapshot, read-only, as a table, CSV or JSON.

The database engine itself decides what a query may do, not this module: the snapshot is
opened read-only and with DuckDB's own safety settings (`SNAPSHOT_CONFIG`), so DuckDB
refuses any change to the snapshot, any other file or URL (COPY … TO, EXPORT, ATTACH,
read_text, read_csv, read_parquet, glob …), any extension beyond the built-in icu, json and
parquet, and any SET (profiling_output, log_query_path, enable_logging, temp_directory, and
the safety settings themselves); SET VARIABLE works. Temporary tables and views live in
memory and go with the session. Marts answer to their bare names through the snapshot's
own views (`publish/snapshot.py`), and `meta.*` says when the snapshot was published.

The one thing DuckDB still writes is its own: a query too big for memory spills into
`published.duckdb.tmp/` beside the snapshot, a path no query can choose, removed when the
session ends.

The table is for reading, so it rounds floating-point numbers (`display_decimals`): amounts
in 万元 (a column named `…_wan`) and gaps in percentage points (`…_pp`) to 2 decimals,
every other one — rates and shares, which are fractions (0.0830 = 8.3 %), and ratios — to
4. CSV and JSON carry every digit DuckDB returns, and so does the data; DECIMAL values keep
their own scale, integers stay whole.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from uuid import UUID

import duckdb

from dagster_project.publish.snapshot import open_snapshot
from dagster_project.settings import command_name

FORMATS = ("table", "csv", "json")
# DuckDB 2.0's own settings for an untrusted session ("Securing DuckDB" in its manual).
SNAPSHOT_CONFIG = {
    # No file system or network beyond the database file: COPY … TO, EXPORT DATABASE, ATTACH,
    # read_*()/glob() on any path or URL, INSTALL/LOAD of an extension, persistent secrets,
    # and scans of Python objects in the caller's frames.
    "enable_external_access": False,
    # No extension loaded or downloaded behind a query's back (read_parquet('https://…')
    # would otherwise reach for httpfs), and none from the community repository.
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    # Nothing above, nor any other setting, can be SET or RESET in the session. Unlocked, a
    # query could still SET profiling_output or CALL enable_logging(storage = 'file'): DuckDB
    # refuses the file, but then fails every later statement on it (and, for the log, aborts
    # the process on exit).
    "lock_configuration": True,
}
# Whether the last statement's result is data to print (a SET VARIABLE's is only a status).
# It decides nothing about what runs: refusing is DuckDB's. PRAGMA and CALL run table
# functions such as pragma_table_info; MULTI is how DuckDB parses PIVOT.
_WITH_RESULT = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI"})
_BATCH = 2048
# Decimals the table shows of a DOUBLE or FLOAT: amounts (万元) and percentage-point gaps
# read to the 0.01, fractions need 4 (0.0830 = 8.3 %, 0.5714 = 4/7).
AMOUNT_SUFFIXES = ("_wan", "_pp")
AMOUNT_DECIMALS = 2
FRACTION_DECIMALS = 4


class NoSnapshotError(FileNotFoundError):
    """No published snapshot exists yet."""


class RefusedQuery(ValueError):
    """A query `xmk sql` does not run: it is empty, or DuckDB refused what it asks for (a
    write, another file, the network, an extension, a setting)."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: Iterator[tuple]


def connect_snapshot(published_db: Path) -> duckdb.DuckDBPyConnection:
    published_db = Path(published_db)
    if not published_db.is_file():
        raise NoSnapshotError(
            f"no published snapshot yet ({published_db}): run `{command_name()} run` first"
        )
    return open_snapshot(published_db, SNAPSHOT_CONFIG)


def connect_working(warehouse_db: Path) -> duckdb.DuckDBPyConnection:
    """The working warehouse, for the operator (`xmk sql --working`): read-only, with the
    same safety settings. The caller holds the warehouse's lock, shared, meanwhile."""
    warehouse_db = Path(warehouse_db)
    if not warehouse_db.is_file():
        raise NoSnapshotError(
            f"no warehouse yet ({warehouse_db}): run `{command_name()} run` first"
        )
    return duckdb.connect(str(warehouse_db), read_only=True, config=SNAPSHOT_CONFIG)


def run_query(con: duckdb.DuckDBPyConnection, query: str) -> QueryResult | None:
    """Run every statement of `query`; the result of the last one (None when it has none).

    What DuckDB refuses under `SNAPSHOT_CONFIG` is raised as RefusedQuery, any other
    DuckDB error as it is."""
    statements = con.extract_statements(query)
    if not statements:
        raise RefusedQuery("the query is empty")
    try:
        for statement in statements:
            cursor = con.execute(statement)
    except duckdb.Error as e:
        reason = _refusal(e)
        if reason is None:
            raise
        raise RefusedQuery(f"{reason}: {one_line(e)}") from e
    if statements[-1].type.name not in _WITH_RESULT or cursor.description is None:
        return None
    columns = _unique([d[0] for d in cursor.description])
    return QueryResult(columns, _fetch(cursor))


def one_line(error: BaseException) -> str:
    """DuckDB's message without the query excerpt and caret it adds on later lines."""
    first = str(error).strip().split("\n\n", 1)[0]
    return " ".join(part.strip() for part in first.splitlines() if part.strip())


def _refusal(error: duckdb.Error) -> str | None:
    """Why DuckDB refused, in the analyst's terms; None for an ordinary query error. Only
    the wording depends on this: DuckDB has already refused."""
    message = str(error)
    if isinstance(error, duckdb.PermissionException):
        return "refused (xmk sql reads the published snapshot and nothing else)"
    if "the configuration has been locked" in message:
        return "refused (settings are fixed in xmk sql; SET VARIABLE works)"
    if "read-only mode" in message:
        return "read-only (data changes come from raw/ through `xmk run`)"
    return None


def write_result(result: QueryResult, fmt: str, out: TextIO) -> int:
    """Write `result` to `out` as `fmt`; the number of rows written."""
    writers = {"table": _write_table, "csv": _write_csv, "json": _write_json}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    return writers[fmt](result, out)


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: 2 for a wide (CJK) character, 0 for a combining."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def display_decimals(column: str) -> int:
    """How many decimals the table shows of a floating-point value in `column`."""
    if column.lower().endswith(AMOUNT_SUFFIXES):
        return AMOUNT_DECIMALS
    return FRACTION_DECIMALS


def _write_table(result: QueryResult, out: TextIO) -> int:
    rows = list(result.rows)
    right = [_numeric_column([row[i] for row in rows]) for i in range(len(result.columns))]
    decimals = [display_decimals(name) for name in result.columns]
    cells = [[_table_cell(v, d) for v, d in zip(row, decimals, strict=True)] for row in rows]
    widths = [
        max([display_width(name), *(display_width(row[i]) for row in cells)])
        for i, name in enumerate(result.columns)
    ]

    def line(values: list[str], align_right: list[bool]) -> str:
        padded = map(_pad, values, widths, align_right)
        return "  ".join(padded).rstrip()

    print(line(result.columns, right), file=out)
    print(line(["-" * w for w in widths], right), file=out)
    for row in cells:
        print(line(row, right), file=out)
    print(f"({len(cells)} row{'' if len(cells) == 1 else 's'})", file=out)
    return len(cells)


def _numeric_column(values: list) -> bool:
    """Numbers align right; NULLs go with whatever else the column holds."""
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
    )


def _table_cell(value, decimals: int) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return _rounded(value, decimals)
    # One row per line: line breaks and tabs inside a value are shown escaped.
    return _text(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _rounded(value: float, decimals: int) -> str:
    """`value` to `decimals` places; inf and nan as DuckDB writes them, and no "-0.00"."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def _write_csv(result: QueryResult, out: TextIO) -> int:
    """CSV that a spreadsheet opens as data. A text cell that Excel, WPS or LibreOffice
    would run as a formula — one starting with `=`, `+`, `-`, `@`, tab or CR, the rule the
    xlsx reports follow — is written with a leading single quote (OWASP's defence against
    CSV injection), so it opens as text: `=HYPERLINK(…)` becomes `'=HYPERLINK(…)`. Numbers
    are values, not text, and stay as they are (-12.5). Column names are escaped too: a
    PIVOT names columns after values. The table (for a terminal) and JSON (data, not a
    spreadsheet) show every text as it is; only the table rounds numbers."""
    # Imported here: the xlsx cells' module pulls in openpyxl, which the other formats do
    # not need.
    from dagster_project.publish.render.cells import FORMULA_START

    def cell(value) -> str:
        if value is None:
            return ""
        text = _text(value)
        if _is_number(value) or not text.startswith(FORMULA_START):
            return text
        return "'" + text

    def line(cells: list[str]) -> str:
        if cells == [""]:
            return '""\n'  # one empty field, not an empty line
        return ",".join(map(_csv_field, cells)) + "\n"

    out.write(line([cell(name) for name in result.columns]))
    n = 0
    for row in result.rows:
        out.write(line([cell(v) for v in row]))
        n += 1
    return n


def _csv_field(text: str) -> str:
    """RFC 4180 quoting. (csv.writer quotes only the characters of its own line terminator:
    with "\n" a CR inside a value went out bare, and spreadsheets split the row there.)"""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _is_number(value) -> bool:
    """A finite number; -inf and nan are words to a spreadsheet, and a bool is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _write_json(result: QueryResult, out: TextIO) -> int:
    """A JSON array of records, one per line, so that a large result streams."""
    out.write("[")
    n = 0
    for row in result.rows:
        record = {c: _jsonable(v) for c, v in zip(result.columns, row, strict=True)}
        out.write(("\n" if n == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _jsonable(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, UUID | timedelta):
        return str(value)
    return str(value)


def _fetch(cursor) -> Iterator[tuple]:
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _unique(names: list[str]) -> list[str]:
    """`select 1 a, 2 a` has two columns named a; a record needs distinct keys."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique
