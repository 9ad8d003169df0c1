"""Loading new files into the raw schema; a submission is never split across commits.

A submission's rows, its quarantine, its structural rows and its manifest entry commit
together (several submissions share one transaction, since a commit costs far more than
the rows), so a load killed half-way leaves nothing of those files and the next run
loads each exactly once. Files already in the manifest (same bytes, same period) are not
parsed again; a
rejected file is tried again only when the regions reference has changed since.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.ingest.discover import Candidate, discover
from dagster_project.ingest.reference import load_reference, load_regions
from dagster_project.ingest.schema import TABLES, arrow_schema, create_all
from dagster_project.parse.submission import ParsedFile, parse_file, sha256
from dagster_project.parse.submitter import RegionIndex

PARSER_VERSION = "1"
# Below this many new files, parsing in worker processes costs more than it saves.
_PARALLEL_FROM = 8
# Submissions per transaction.
_BATCH = 64


@dataclass
class IngestReport:
    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_rejected: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_structural: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"files: {self.files_seen} seen, {self.files_unchanged} unchanged, "
            f"{self.files_loaded} loaded, {self.files_rejected} rejected",
            f"rows:  {self.rows_read} read = {self.rows_loaded} loaded + "
            f"{self.rows_quarantined} quarantined + {self.rows_structural} totals/sections",
        ]
        lines += [f"  rejected {path}: {reason}" for path, reason in self.rejected]
        return "\n".join(lines)


def ingest(raw_dir: Path, db_path: Path, jobs: int | None = None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    regions, reference_version = load_regions(raw_dir)
    candidates = discover(raw_dir)
    report.files_seen = len(candidates)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        create_all(con)
        _replace_reference(con, raw_dir)
        todo, retried = _new_files(con, candidates, reference_version, report)
        batch: list[tuple[Candidate, ParsedFile]] = []
        for cand, parsed in _parse_all(todo, regions, jobs):
            batch.append((cand, parsed))
            _count(report, cand, parsed)
            if len(batch) >= _BATCH:
                write_submissions(con, batch, reference_version, retried)
                batch = []
        if batch:
            write_submissions(con, batch, reference_version, retried)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def _replace_reference(con, raw_dir: Path) -> None:
    """raw.regions and raw.department_leaders hold the reference in force, rewritten
    only when its content differs."""
    for table, name in (
        ("regions", "regions.csv"),
        ("department_leaders", "department_leaders.csv"),
    ):
        rows, _version = load_reference(raw_dir, name)
        columns = [c for c, _ in TABLES[table]]
        wanted = sorted(tuple(r.get(c) or None for c in columns) for r in rows)
        current = sorted(con.execute(f"select {', '.join(columns)} from raw.{table}").fetchall())
        if wanted == current:
            continue
        con.execute("begin transaction")
        con.execute(f"delete from raw.{table}")
        _insert(con, table, [dict(zip(columns, r, strict=True)) for r in wanted])
        con.execute("commit")


def _new_files(con, candidates, reference_version, report):
    """The files to parse, and the ids among them that were rejected before."""
    known = {
        sid: (status, ref)
        for sid, status, ref in con.execute(
            "select submission_id, status, reference_version from raw.file_manifest"
        ).fetchall()
    }
    todo, queued, retried = [], set(), set()
    for cand in candidates:
        sid = cand.submission_id(sha256(cand.path.read_bytes()))
        seen = known.get(sid)
        retry = seen is not None and seen[0] == "rejected" and seen[1] != reference_version
        if sid in queued or (seen is not None and not retry):
            report.files_unchanged += 1  # the same bytes are one submission
            continue
        queued.add(sid)
        if retry:
            retried.add(sid)
        todo.append((cand, sid))
    return todo, retried


def _parse_all(todo, regions, jobs) -> Iterator[tuple[Candidate, ParsedFile]]:
    jobs = jobs or os.cpu_count() or 1
    if len(todo) < _PARALLEL_FROM or jobs == 1:
        index = RegionIndex(regions)
        for cand, _sid in todo:
            yield cand, _parse(cand, index)
        return
    cands = [c for c, _ in todo]
    done = 0
    try:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            jobs, mp_context=ctx, initializer=_init_worker, initargs=(regions,)
        ) as pool:
            for parsed in pool.map(_parse_in_worker, cands, chunksize=8):
                yield cands[done], parsed
                done += 1
    except BrokenProcessPool:
        # Workers cannot start from every host process (a script read from standard
        # input, say); parsing here is slower and gives the same result.
        index = RegionIndex(regions)
        for cand in cands[done:]:
            yield cand, _parse(cand, index)


_WORKER_INDEX: RegionIndex | None = None


def _init_worker(regions) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = RegionIndex(regions)


def _parse_in_worker(cand: Candidate) -> ParsedFile:
    assert _WORKER_INDEX is not None
    return _parse(cand, _WORKER_INDEX)


def _parse(cand: Candidate, index: RegionIndex) -> ParsedFile:
    data = cand.path.read_bytes()
    if cand.kind is None:
        return ParsedFile(
            sha256(data), cand.path.name, "misplaced", "rejected", cand.misplaced_reason
        )
    return parse_file(cand.path.name, data, cand.kind, index)


def _count(report: IngestReport, cand: Candidate, parsed: ParsedFile) -> None:
    if parsed.status == "rejected":
        report.files_rejected += 1
        report.rejected.append((cand.rel_path, parsed.reason or ""))
        return
    report.files_loaded += 1
    for s in parsed.sheets:
        report.rows_read += s.rows_read
        report.rows_loaded += len(s.rows)
        report.rows_quarantined += s.rows_quarantined
        report.rows_structural += len(s.structural)


def write_submissions(con, batch, reference_version: str, retried: set[str] = frozenset()):
    """Submissions in one transaction: each lands whole or not at all."""
    tables: dict[str, list[dict]] = {}
    for cand, parsed in batch:
        for table, rows in _rows_by_table(cand, parsed, reference_version).items():
            tables.setdefault(table, []).extend(rows)
    con.execute("begin transaction")
    try:
        # A rejected file tried again replaces its earlier manifest entry.
        for sid in retried & {cand.submission_id(parsed.file_sha256) for cand, parsed in batch}:
            for table in ("file_manifest", "sheet_manifest"):
                con.execute(f"delete from raw.{table} where submission_id = ?", [sid])
        for table, rows in tables.items():
            if rows:
                _insert(con, table, rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _insert(con, table: str, rows: list[dict]) -> None:
    columns = TABLES[table]
    con.register("incoming", pa.Table.from_pylist(rows, schema=arrow_schema(columns)))
    try:
        con.execute(f"insert into raw.{table} by name select * from incoming")
    finally:
        con.unregister("incoming")


def _rows_by_table(cand: Candidate, parsed: ParsedFile, reference_version: str):
    sid = cand.submission_id(parsed.file_sha256)
    lineage = {
        "submission_id": sid,
        "file_sha256": parsed.file_sha256,
        "region_code": parsed.region_code,
        "period_month": cand.period_month,
        "period_week": cand.period_week,
    }
    tables: dict[str, list[dict]] = {}
    sheet_rows = []
    for sheet in parsed.sheets:
        sheet_rows.append(
            {
                "submission_id": sid,
                "sheet_name": sheet.sheet_name,
                "list_key": sheet.list_key,
                "status": sheet.status,
                "reason": sheet.reason,
                "header_rows": sheet.header_rows,
                "unit": sheet.unit,
                "ytd_header_month": sheet.ytd_month,
                "rows_read": sheet.rows_read,
                "rows_loaded": len(sheet.rows),
                "rows_quarantined": sheet.rows_quarantined,
                "rows_structural": len(sheet.structural),
                "unmapped_columns": sheet.unmapped_columns,
                "field_columns": _json(sheet.field_columns),
            }
        )
        if sheet.status != "loaded" or not sheet.list_key:
            continue
        known = {name for name, _ in TABLES[sheet.list_key]}
        out = tables.setdefault(sheet.list_key, [])
        for row in sheet.rows:
            out.append(_table_row(row, known, lineage, sheet.sheet_name))
        for q in sheet.quarantine:
            tables.setdefault("quarantine", []).append(
                {
                    **lineage,
                    "source_file": cand.rel_path,
                    "sheet_name": sheet.sheet_name,
                    "list_key": sheet.list_key,
                    "excel_row": q["excel_row"],
                    "column_letter": q["column"],
                    "header": q["header"],
                    "field": q["field"],
                    "value": None if q["value"] is None else str(q["value"]),
                    "reason": q["reason"],
                    "row_values": _json(q["row_values"]),
                }
            )
        for s in sheet.structural:
            tables.setdefault("structural_rows", []).append(
                {"submission_id": sid, "sheet_name": sheet.sheet_name, **s}
            )
    tables["sheet_manifest"] = sheet_rows
    tables["file_manifest"] = [_manifest_row(cand, parsed, sheet_rows, reference_version)]
    return tables


def _table_row(row: dict, known: set[str], lineage: dict, sheet_name: str) -> dict:
    out = {**lineage, "sheet_name": sheet_name}
    extra = dict(row.get("extra_columns") or {})
    for key, value in row.items():
        if key in ("source_text", "extra_columns"):
            continue
        if key in known:
            out[key] = value
        elif value is not None:
            extra[key] = value  # a recognised field this list does not carry
    out["source_text"] = _json(row.get("source_text"))
    out["extra_columns"] = _json(extra)
    return out


def _manifest_row(cand, parsed, sheet_rows, reference_version) -> dict:
    def total(key):
        return sum(s[key] for s in sheet_rows)

    return {
        "submission_id": cand.submission_id(parsed.file_sha256),
        "file_sha256": parsed.file_sha256,
        "original_path": cand.rel_path,
        "file_name": cand.path.name,
        "size_bytes": cand.size,
        "kind": parsed.kind,
        "region_code": parsed.region_code,
        "period_month": cand.period_month,
        "period_week": cand.period_week,
        "received_at": cand.received_at,
        "status": parsed.status,
        "reason": parsed.reason,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "rows_read": total("rows_read"),
        "rows_loaded": total("rows_loaded"),
        "rows_quarantined": total("rows_quarantined"),
        "rows_structural": total("rows_structural"),
        "reference_version": reference_version,
        "parser_version": PARSER_VERSION,
        "ingested_at": datetime.now(),
    }


def _json(value: dict | None) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
