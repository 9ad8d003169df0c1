"""Loading new files into the raw schema; a submission is never split across commits.

A submission's rows, its quarantine, its structural rows and its manifest entry commit
together (several submissions share one transaction, since a commit costs far more than
the rows), so a load killed half-way leaves nothing of those files and the next run
loads each exactly once. Files already in the manifest (same bytes, same period) are not
parsed again; a rejected file is tried again only when the regions reference has changed
since.

Parsing is CPU-bound Python, so files are parsed in worker processes, a group at a time;
a worker also turns its group into the rows of each raw table as Arrow tables, so only
Arrow buffers and a few counts come back to the process that writes the warehouse.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from dagster_project.ingest.discover import Candidate, discover
from dagster_project.ingest.reference import load_exemptions, load_reference, load_regions
from dagster_project.ingest.schema import TABLES, arrow_schema, create_all
from dagster_project.ingest.workers import parse_in_workers
from dagster_project.orchestration import progress
from dagster_project.orchestration.children import leave_with_parent
from dagster_project.orchestration.warehouse_lock import connect_warehouse
from dagster_project.parse.submission import ParsedFile, parse_file
from dagster_project.parse.submitter import RegionIndex

PARSER_VERSION = "2"
# Files a worker parses and converts in one task.
_GROUP = 16
# Submissions per transaction (whole groups).
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
    cells_quarantined: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    resent: list[str] = field(default_factory=list)  # submissions received again, later
    # Which file counts, where this run's files replace or fail to replace another.
    decisions: list[str] = field(default_factory=list)
    # Portal receipts not trusted (they do not match the file beside them), each naming
    # both files; said every run while they lie there.
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"files: {self.files_seen} seen, {self.files_unchanged} unchanged, "
            f"{self.files_loaded} loaded, {self.files_rejected} rejected",
            f"rows:  {self.rows_read} read = {self.rows_loaded} loaded + "
            f"{self.rows_quarantined} quarantined + {self.rows_structural} totals/sections",
        ]
        if self.cells_quarantined:
            lines.append(
                f"cells: {self.cells_quarantined} unreadable, their rows loaded with the "
                "field empty (raw.quarantine)"
            )
        lines += [f"  rejected {path}: {reason}" for path, reason in self.rejected]
        lines += [f"  {decision}" for decision in self.decisions]
        lines += [f"  warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


def ingest(raw_dir: Path, db_path: Path, jobs: int | None = None) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    regions, reference_version = load_regions(raw_dir)
    candidates = discover(raw_dir)
    report.files_seen = len(candidates)
    report.warnings = [c.receipt_warning for c in candidates if c.receipt_warning]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = connect_warehouse(db_path)
    try:
        create_all(con)
        _replace_reference(con, raw_dir, regions)
        todo, retried = _new_files(con, candidates, reference_version, report)
        progress.say(f"  {len(candidates)} files in {raw_dir}, {len(todo)} to read")
        batch: list[PreparedGroup] = []
        done = 0
        for group in _prepare_all(todo, regions, reference_version, jobs):
            batch.append(group)
            for summary in group.files:
                _count(report, summary)
            done += len(group.files)
            progress.files_read(done, len(todo), report.rows_loaded, report.files_rejected)
            if sum(len(g.files) for g in batch) >= _BATCH:
                write_submissions(con, batch, retried)
                batch = []
        if batch:
            write_submissions(con, batch, retried)
        report.decisions = supersede_decisions(con, report.resent + [sid for _cand, sid in todo])
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    return report


def _replace_reference(con, raw_dir: Path, regions: list[dict]) -> None:
    """raw.regions, raw.department_leaders and raw.exemptions hold the reference in
    force, each rewritten only when its content differs."""
    for table, name in (
        ("regions", "regions.csv"),
        ("department_leaders", "department_leaders.csv"),
    ):
        rows, _version = load_reference(raw_dir, name)
        _replace_table(con, table, rows)
    _replace_table(con, "exemptions", load_exemptions(raw_dir, regions))


def _replace_table(con, table: str, rows: list[dict]) -> None:
    columns = [c for c, _ in TABLES[table]]
    wanted = sorted(tuple(r.get(c) or None for c in columns) for r in rows)
    current = sorted(con.execute(f"select {', '.join(columns)} from raw.{table}").fetchall())
    if wanted == current:
        return
    con.execute("begin transaction")
    con.execute(f"delete from raw.{table}")
    _insert(con, table, [dict(zip(columns, r, strict=True)) for r in wanted])
    con.execute("commit")


def _new_files(con, candidates, reference_version, report):
    """The files to parse, and the ids among them that were rejected before.

    A rejected file is read again when the regions reference changed, or when it was
    renamed (the clerk followed the refusal's advice: same bytes, a new name). The record
    of a rejected file that is no longer in raw/ is dropped, so removing a misplaced file
    clears its failure; loaded files keep their history whatever happens to raw/."""
    known = {
        sid: (status, ref, path, received)
        for sid, status, ref, path, received in con.execute(
            "select submission_id, status, reference_version, original_path, received_at "
            "from raw.file_manifest"
        ).fetchall()
    }
    present: dict[str, list] = {}
    for cand in candidates:
        present.setdefault(cand.submission_id(cand.file_sha256()), []).append(cand)
    _forget_rejected(con, [sid for sid, (status, *_) in known.items()
                           if status == "rejected" and sid not in present])  # fmt: skip
    todo, retried, resent = [], set(), []
    for sid, cands in present.items():
        seen = known.get(sid)
        paths = {c.rel_path for c in cands}
        if seen is None:
            chosen = cands[0]
        elif seen[0] == "rejected" and (seen[1] != reference_version or seen[2] not in paths):
            chosen = cands[-1]  # the latest received of the same bytes
            retried.add(sid)
        else:
            chosen = None
            # The same bytes sent again under another name, later than they were first
            # received: the re-send is the county's latest word for the period.
            again = [c for c in cands if c.rel_path != seen[2] and c.received_at > seen[3]]
            if seen[0] == "loaded" and again:
                resent.append((sid, again[-1]))
        report.files_unchanged += len(cands) - (chosen is not None)  # same bytes: one file
        if chosen is not None:
            todo.append((chosen, sid))
    _record_resends(con, resent)
    report.resent = [sid for sid, _cand in resent]
    order = {id(c): i for i, c in enumerate(candidates)}
    todo.sort(key=lambda item: order[id(item[0])])
    return todo, retried


def _record_resends(con, resent: list[tuple[str, Candidate]]) -> None:
    if not resent:
        return
    con.execute("begin transaction")
    for sid, cand in resent:
        con.execute(
            """update raw.file_manifest set received_at = ?, original_path = ?, file_name = ?,
                      submitted_by = ?
               where submission_id = ?""",
            [cand.received_at, cand.rel_path, cand.name, cand.submitted_by, sid],
        )
    con.execute("commit")


def supersede_decisions(con, submission_ids: list[str]) -> list[str]:
    """For each of these submissions that shares a submitter, period and list with
    another: which one counts, by received time (equal times: the later file name)."""
    if not submission_ids:
        return []
    rows = con.execute(
        """
        with mine as (
            select distinct l.kind, l.region_code, l.period_month, l.period_week,
                            l.meeting_day, l.list_key
            from raw.submission_lists l where list_contains(?, l.submission_id)
        ),
        groups as (
            select l.*, count(*) over (partition by l.kind, l.region_code, l.period_month,
                                                    l.period_week, l.meeting_day, l.list_key)
                   as files,
                   e.submission_id is not null as in_force
            from raw.submission_lists l
            join mine m
              on m.kind = l.kind and m.list_key = l.list_key
             and m.region_code is not distinct from l.region_code
             and m.period_month is not distinct from l.period_month
             and m.period_week is not distinct from l.period_week
             and m.meeting_day is not distinct from l.meeting_day
            left join raw.effective_submission_lists e
              on e.submission_id = l.submission_id and e.list_key = l.list_key
        )
        select g.region_code, coalesce(strftime(g.period_month, '%Y-%m'),
                                       strftime(g.period_week, '%G-W%V'),
                                       '会议 ' || strftime(g.meeting_day, '%Y-%m-%d')) as period,
               f.original_path, g.received_at, bool_or(g.in_force) as in_force
        from groups g join raw.file_manifest f using (submission_id)
        where g.files > 1
        group by all
        order by period, g.region_code, in_force desc, g.received_at desc
        """,
        [submission_ids],
    ).fetchall()
    decisions, winners = [], {}
    for region, period, path, received, in_force in rows:
        key = (region, period)
        if in_force:
            winners.setdefault(key, (path, received))
            continue
        winner = winners.get(key)
        if winner is None:
            continue
        decisions.append(
            f"in force for {period}{f' {region}' if region else ''}: {winner[0]} "
            f"(received {winner[1]:%Y-%m-%d %H:%M}); "
            f"not {path} (received {received:%Y-%m-%d %H:%M})"
        )
    return decisions


def _forget_rejected(con, ids: list[str]) -> None:
    if not ids:
        return
    con.execute("begin transaction")
    for table in ("file_manifest", "sheet_manifest"):
        con.execute(f"delete from raw.{table} where list_contains(?, submission_id)", [ids])
    con.execute("commit")


@dataclass(frozen=True)
class FileSummary:
    """What the writing process needs to know of one parsed file besides its rows."""

    rel_path: str
    submission_id: str
    status: str  # loaded | rejected
    reason: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_structural: int
    cells_quarantined: int


@dataclass
class PreparedGroup:
    """A group of parsed files: a summary of each, and the rows of every raw table for
    all of them (the manifests included), as Arrow tables ready to insert."""

    files: list[FileSummary]
    tables: dict[str, pa.Table]


def _prepare_all(todo, regions, reference_version, jobs) -> Iterator[PreparedGroup]:
    """Parse the files in worker processes (unless asked for one job): a file that kills
    its worker, or takes more memory than a worker may, is refused alone
    (ingest/workers.py)."""
    jobs = jobs or os.cpu_count() or 1
    cands = [c for c, _sid in todo]
    groups = [cands[i : i + _GROUP] for i in range(0, len(cands), _GROUP)]
    if jobs == 1:
        index = RegionIndex(regions)
        for group in groups:
            yield prepare_group(group, index, reference_version)
        return

    known_regions = {str(r["region_code"]) for r in regions}

    def refuse(cand: Candidate, reason: str) -> PreparedGroup:
        parsed = ParsedFile(
            cand.file_sha256(), cand.name, cand.kind or "misplaced", "rejected", reason
        )
        if cand.submitter in known_regions:  # a portal upload is its account's
            parsed.region_code = cand.submitter
        return lay_out([(cand, parsed)], reference_version)

    done = 0
    try:
        for prepared in parse_in_workers(
            groups, _prepare_in_worker, _init_worker, (regions, reference_version), jobs, refuse
        ):
            done += len(prepared.files)
            yield prepared
    except BrokenProcessPool:
        # Workers cannot start from every host process (a script read from standard
        # input, say); parsing here is slower and gives the same result.
        index = RegionIndex(regions)
        rest = cands[done:]
        for i in range(0, len(rest), _GROUP):
            yield prepare_group(rest[i : i + _GROUP], index, reference_version)


_WORKER: tuple[RegionIndex, str] | None = None


def _init_worker(regions, reference_version: str) -> None:
    global _WORKER
    leave_with_parent()
    _WORKER = (RegionIndex(regions), reference_version)


def _prepare_in_worker(group: list[Candidate]) -> PreparedGroup:
    assert _WORKER is not None
    return prepare_group(group, *_WORKER)


def prepare_group(
    group: list[Candidate], index: RegionIndex, reference_version: str
) -> PreparedGroup:
    """Parse the files of a group and lay their rows out as the raw tables."""
    return lay_out([(cand, _parse(cand, index)) for cand in group], reference_version)


def lay_out(parsed_files: list[tuple[Candidate, ParsedFile]], reference_version: str):
    """Parsed files as the rows of every raw table, ready to insert."""
    files, rows, segments = [], {}, {}
    for cand, parsed in parsed_files:
        for table, table_rows in _rows_by_table(cand, parsed, reference_version).items():
            rows.setdefault(table, []).extend(table_rows)
        for table, segment in _list_segments(cand, parsed):
            segments.setdefault(table, []).append(segment)
        files.append(_summary(cand, parsed))
    tables = {t: _arrow(t, r) for t, r in rows.items() if r}
    tables |= {t: _list_table(t, segs) for t, segs in segments.items()}
    return PreparedGroup(files, tables)


def _parse(cand: Candidate, index: RegionIndex) -> ParsedFile:
    refused = cand.unread_reason or cand.misplaced_reason
    if refused:
        return ParsedFile(
            cand.file_sha256(), cand.name, cand.kind or "misplaced", "rejected", refused
        )
    return parse_file(
        cand.name,
        cand.path.read_bytes(),
        cand.kind,
        index,
        cand.period_month,
        submitter=cand.submitter,  # the portal receipt's region: never guessed
    )


def _summary(cand: Candidate, parsed: ParsedFile) -> FileSummary:
    sheets = parsed.sheets
    return FileSummary(
        rel_path=cand.rel_path,
        submission_id=cand.submission_id(parsed.file_sha256),
        status=parsed.status,
        reason=parsed.reason,
        rows_read=sum(s.rows_read for s in sheets),
        rows_loaded=sum(len(s.rows) for s in sheets),
        rows_quarantined=sum(s.rows_quarantined for s in sheets),
        rows_structural=sum(len(s.structural) for s in sheets),
        cells_quarantined=sum(s.cells_quarantined for s in sheets),
    )


def _count(report: IngestReport, summary: FileSummary) -> None:
    if summary.status == "rejected":
        report.files_rejected += 1
        report.rejected.append((summary.rel_path, summary.reason or ""))
        return
    report.files_loaded += 1
    report.rows_read += summary.rows_read
    report.rows_loaded += summary.rows_loaded
    report.rows_quarantined += summary.rows_quarantined
    report.rows_structural += summary.rows_structural
    report.cells_quarantined += summary.cells_quarantined


def write_submissions(con, batch: list[PreparedGroup], retried: set[str] = frozenset()):
    """Submissions in one transaction: each lands whole or not at all."""
    tables: dict[str, list[pa.Table]] = {}
    for group in batch:
        for table, arrow in group.tables.items():
            tables.setdefault(table, []).append(arrow)
    ids = {f.submission_id for group in batch for f in group.files}
    con.execute("begin transaction")
    try:
        # A rejected file tried again replaces its earlier manifest entry.
        for sid in retried & ids:
            for table in ("file_manifest", "sheet_manifest"):
                con.execute(f"delete from raw.{table} where submission_id = ?", [sid])
        for table, parts in tables.items():
            _insert_arrow(con, table, pa.concat_tables(parts))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _insert(con, table: str, rows: list[dict]) -> None:
    _insert_arrow(con, table, _arrow(table, rows))


def _insert_arrow(con, table: str, arrow: pa.Table) -> None:
    con.register("incoming", arrow)
    try:
        con.execute(f"insert into raw.{table} by name select * from incoming")
    finally:
        con.unregister("incoming")


def _arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows of a raw table (dicts; a missing key is NULL) as an Arrow table of its schema."""
    schema = _schema(table)
    return pa.Table.from_pydict(
        {name: [row.get(name) for row in rows] for name in schema.names}, schema=schema
    )


@functools.cache
def _schema(table: str) -> pa.Schema:
    return arrow_schema(TABLES[table])


def _lineage(cand: Candidate, parsed: ParsedFile) -> dict:
    return {
        "submission_id": cand.submission_id(parsed.file_sha256),
        "file_sha256": parsed.file_sha256,
        "region_code": parsed.region_code,
        "period_month": cand.period_month,
        "period_week": cand.period_week,
        "meeting_day": cand.meeting_day,
    }


def _loaded_lists(parsed: ParsedFile):
    return [s for s in parsed.sheets if s.status == "loaded" and s.list_key]


def _list_segments(cand: Candidate, parsed: ParsedFile):
    """(list table, (lineage, rows)) for every loaded list sheet of a file."""
    lineage = _lineage(cand, parsed)
    return [
        (sheet.list_key, ({**lineage, "sheet_name": sheet.sheet_name}, sheet.rows))
        for sheet in _loaded_lists(parsed)
        if sheet.rows
    ]


def _list_table(table: str, segments: list[tuple[dict, list[dict]]]) -> pa.Table:
    """A list's raw table from (lineage, parsed rows) segments, built column by column.
    A row's own value wins over its lineage (statistics rows carry their region); a
    recognised field this list does not carry goes to extra_columns with the columns the
    contract does not know."""
    schema = _schema(table)
    names = set(schema.names)
    columns: dict[str, list] = {}
    for lineage, records in segments:
        present = set().union(*(r.keys() for r in records))
        for name in schema.names:
            column = columns.setdefault(name, [])
            if name == "source_text":
                column += [_json(r.get("source_text")) for r in records]
            elif name == "extra_columns":
                column += [_json(_extra_columns(r, names)) for r in records]
            elif name not in present:
                column += [lineage.get(name)] * len(records)
            else:
                default = lineage.get(name)
                column += [r.get(name, default) for r in records]
    return pa.Table.from_pydict(columns, schema=schema)


def _extra_columns(row: dict, table_columns: set[str]) -> dict | None:
    extra = row.get("extra_columns")
    stray = row.keys() - table_columns  # recognised fields this list does not carry
    if not stray:
        return extra
    extra = dict(extra or {})
    extra.update((key, row[key]) for key in stray if row[key] is not None)
    return extra


def _rows_by_table(cand: Candidate, parsed: ParsedFile, reference_version: str):
    """The rows of every raw table but the lists' own (see _list_segments)."""
    lineage = _lineage(cand, parsed)
    sid = lineage["submission_id"]
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
                "cells_quarantined": sheet.cells_quarantined,
                "unmapped_columns": sheet.unmapped_columns,
                "field_columns": _json(sheet.field_columns),
                "sheet_problems": _json(sheet.sheet_problems),
            }
        )
    for sheet in _loaded_lists(parsed):
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
                    "row_loaded": q["row_loaded"],
                    "severity": q["severity"],
                }
            )
        for s in sheet.structural:
            tables.setdefault("structural_rows", []).append(
                {"submission_id": sid, "sheet_name": sheet.sheet_name, **s}
            )
    tables["sheet_manifest"] = sheet_rows
    tables["file_manifest"] = [_manifest_row(cand, parsed, sheet_rows, reference_version)]
    return tables


def _manifest_row(cand, parsed, sheet_rows, reference_version) -> dict:
    def total(key):
        return sum(s[key] for s in sheet_rows)

    return {
        "submission_id": cand.submission_id(parsed.file_sha256),
        "file_sha256": parsed.file_sha256,
        "original_path": cand.rel_path,
        "file_name": cand.name,
        "size_bytes": cand.size,
        "kind": parsed.kind,
        "region_code": parsed.region_code,
        "period_month": cand.period_month,
        "period_week": cand.period_week,
        "meeting_day": cand.meeting_day,
        "received_at": cand.received_at,
        "submitted_by": cand.submitted_by,
        "status": parsed.status,
        "reason": parsed.reason,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "rows_read": total("rows_read"),
        "rows_loaded": total("rows_loaded"),
        "rows_quarantined": total("rows_quarantined"),
        "rows_structural": total("rows_structural"),
        "cells_quarantined": total("cells_quarantined"),
        "reference_version": reference_version,
        "parser_version": PARSER_VERSION,
        "ingested_at": datetime.now(),
    }


# One encoder for every value: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)


def _json(value: dict | None) -> str | None:
    return _JSON.encode(value) if value else None
