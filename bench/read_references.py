"""What ingestion is measured against (SPEC §7), each run by bench/run_bench.py as a
process of its own on the files ingestion reads (raw/ without reference/):

    python bench/run_bench.py floor RAW              (f) the read floor
    python bench/run_bench.py naive ENGINE RAW DB    (d) openpyxl, (g) calamine

Each prints one line of JSON: files, sheets and rows read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

WORKBOOKS = (".xlsx", ".xls")


def submitted_files(raw: Path) -> Iterator[Path]:
    """Every workbook and CSV file under raw/, outside reference/, in a stable order."""
    for path in sorted(raw.rglob("*")):
        if not path.is_file() or path.parts[len(raw.parts)] == "reference":
            continue
        if path.suffix.lower() in (*WORKBOOKS, ".csv"):
            yield path


def csv_text(path: Path) -> str | None:
    """A CSV file's text in the encoding it decodes in, as ingestion decodes a reference
    CSV (UTF-8 with or without BOM, else GB18030); None when it decodes in neither."""
    from dagster_project.ingest.reference import ReferenceFileError, _decode

    try:
        return _decode(path)
    except ReferenceFileError:
        return None


def read_floor(raw: Path) -> dict:
    """(f) fastexcel (calamine) reading every sheet of every workbook eagerly into Arrow,
    and the stdlib reading every CSV in its encoding: what reading the bytes costs, with
    nothing interpreted and nothing written."""
    import fastexcel

    files = sheets = rows = 0
    for path in submitted_files(raw):
        if path.suffix.lower() in WORKBOOKS:
            reader = fastexcel.read_excel(path)
            for name in reader.sheet_names:
                rows += reader.load_sheet(name, header_row=None, eager=True).num_rows
                sheets += 1
        elif (text := csv_text(path)) is not None:
            rows += sum(1 for _ in csv.reader(io.StringIO(text)))
            sheets += 1
        else:
            continue
        files += 1
    return {"files": files, "sheets": sheets, "rows": rows}


def naive_reference(raw: Path, db: Path, engine: str) -> dict:
    """(d)/(g) the script an analyst would write: every sheet of every workbook read with
    pandas (`engine`: openpyxl or calamine), every CSV with pandas.read_csv, concatenated,
    written to DuckDB. No header detection, no types, no validation. openpyxl cannot read
    .xls: with it those files are left out (the demo has none)."""
    import duckdb
    import pandas as pd

    frames, files = [], 0
    for path in submitted_files(raw):
        if path.suffix.lower() in WORKBOOKS:
            if engine == "openpyxl" and path.suffix.lower() == ".xls":
                continue
            sheets = pd.read_excel(path, sheet_name=None, engine=engine, header=None, dtype=str)
        elif (text := csv_text(path)) is not None:
            # Title rows above the header are narrower than the table: name every column.
            width = max(len(row) for row in csv.reader(io.StringIO(text)))
            frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, names=range(width))
            sheets = {path.stem: frame}
        else:
            continue
        files += 1
        for name, frame in sheets.items():
            frame.columns = [f"c{i}" for i in range(frame.shape[1])]
            frames.append(frame.assign(source_file=str(path.relative_to(raw)), sheet=name))
    everything = pd.concat(frames, ignore_index=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        con.register("everything", everything)
        con.execute("create or replace table naive as select * from everything")
        rows = con.execute("select count(*) from naive").fetchone()[0]
    finally:
        con.close()
    return {"files": files, "sheets": len(frames), "rows": rows}


def command_line(argv: list[str]) -> dict | None:
    """The counts of the reading `argv` asks for; None when it asks for none."""
    if len(argv) == 2 and argv[0] == "floor":
        return read_floor(Path(argv[1]))
    if len(argv) == 4 and argv[0] == "naive" and argv[1] in ("openpyxl", "calamine"):
        return naive_reference(Path(argv[2]), Path(argv[3]), argv[1])
    return None
