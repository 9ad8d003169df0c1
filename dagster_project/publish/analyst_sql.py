"""`xmk sql`: analysts' queries on the published snapshot, read-only, as a table, CSV or JSON.

The snapshot is opened read-only, so DuckDB itself refuses any change to it; statements
that would write anywhere else (COPY … TO, ATTACH, CREATE TEMP, EXPORT, INSTALL …) are
refused before they run. Marts answer to their bare names through the snapshot's own views
(`publish/snapshot.py`).
"""

from __future__ import annotations

import csv
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

FORMATS = ("table", "csv", "json")
# Statements that only read. PRAGMA and CALL run table functions such as pragma_table_info;
# MULTI is how DuckDB parses PIVOT; SET changes this session only.
READING_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "MULTI", "SET"})
_WITH_RESULT = READING_STATEMENTS - {"SET"}
_BATCH = 2048


class NoSnapshotError(FileNotFoundError):
    """No published snapshot exists yet."""


class RefusedQuery(ValueError):
    """A query `xmk sql` does not run: it would write, or there is nothing to run."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: Iterator[tuple]


def connect_snapshot(published_db: Path) -> duckdb.DuckDBPyConnection:
    published_db = Path(published_db)
    if not published_db.is_file():
        raise NoSnapshotError(f"no published snapshot yet ({published_db}): run `xmk run` first")
    return duckdb.connect(str(published_db), read_only=True)


def run_query(con: duckdb.DuckDBPyConnection, query: str) -> QueryResult | None:
    """Run every statement of `query`; the result of the last one (None when it has none)."""
    statements = con.extract_statements(query)
    if not statements:
        raise RefusedQuery("the query is empty")
    for statement in statements:
        kind = statement.type.name
        if kind not in READING_STATEMENTS:
            raise RefusedQuery(
                f"read-only: a {kind} statement is refused. The published snapshot is for "
                "reading (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT); data changes "
                "come from raw/ through `xmk run`."
            )
    try:
        for statement in statements:
            cursor = con.execute(statement)
    except duckdb.Error as e:
        if "read-only mode" in str(e):
            raise RefusedQuery(f"read-only: {e}") from e
        raise
    if statements[-1].type.name not in _WITH_RESULT or cursor.description is None:
        return None
    columns = _unique([d[0] for d in cursor.description])
    return QueryResult(columns, _fetch(cursor))


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


def _write_table(result: QueryResult, out: TextIO) -> int:
    rows = list(result.rows)
    right = [_numeric_column([row[i] for row in rows]) for i in range(len(result.columns))]
    cells = [[_table_cell(v) for v in row] for row in rows]
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


def _table_cell(value) -> str:
    if value is None:
        return "NULL"
    # One row per line: line breaks and tabs inside a value are shown escaped.
    return _text(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def _write_csv(result: QueryResult, out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    n = 0
    for row in result.rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
        n += 1
    return n


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
