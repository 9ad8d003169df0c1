"""The raw schema: one table per list, the file and sheet manifests, quarantine.

Column names and types come from the contract, so a field added there appears here.
Supersession is not stored: the views compute it from received times, so it can never
disagree with the files that were loaded.
"""

from __future__ import annotations

import pyarrow as pa

from dagster_project.contract import (
    FIELD_BY_NAME,
    LISTS,
    MEETING_DECISION_FIELDS,
    MEETING_DECISIONS,
    STATISTICS_FIELDS,
    FieldType,
)

_SQL_TYPE = {
    FieldType.TEXT: "VARCHAR",
    FieldType.CODE: "VARCHAR",
    FieldType.CONSTRUCTION_TYPE: "VARCHAR",
    FieldType.LIBRARY_LEVEL: "VARCHAR",
    FieldType.PLAN_INCLUSION: "VARCHAR",
    FieldType.LANDING_STATUS: "VARCHAR",
    FieldType.AMOUNT: "DOUBLE",
    FieldType.RATIO: "DOUBLE",
    FieldType.PERCENT: "DOUBLE",
    FieldType.MONTH: "DATE",
    FieldType.DAY: "DATE",
    FieldType.FLAG: "BOOLEAN",
    FieldType.FUNDING: "VARCHAR[]",
    FieldType.INTEGER: "BIGINT",
}
_ARROW_TYPE = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR[]": pa.list_(pa.string()),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "TIMESTAMP": pa.timestamp("us"),
    "JSON": pa.string(),
}

LINEAGE_COLUMNS = [
    ("submission_id", "VARCHAR"),  # the file's bytes in one period (see discover.py)
    ("file_sha256", "VARCHAR"),
    ("region_code", "VARCHAR"),  # the submitter
    ("period_month", "DATE"),  # first day of the reporting month (monthly files)
    ("period_week", "DATE"),  # Monday of the ISO week (weekly files)
    ("sheet_name", "VARCHAR"),
    ("excel_row", "INTEGER"),  # the row number Excel shows
]
TRAILING_COLUMNS = [
    ("source_text", "JSON"),  # {field: the cell text as typed} for transformed cells
    ("extra_columns", "JSON"),  # {header: text} of columns the contract does not know
    ("unreadable_fields", "VARCHAR[]"),  # fields left empty: their cell is in quarantine
]


def field_columns(field_names) -> list[tuple[str, str]]:
    cols: list[tuple[str, str]] = []
    for name in field_names:
        f = FIELD_BY_NAME[name]
        if f.type == FieldType.MONTH_RANGE:
            cols += [("planned_start", "DATE"), ("planned_completion", "DATE")]
        elif f.type == FieldType.APPROVAL:
            cols += [(name, "VARCHAR"), (f"{name}_month", "DATE")]
        else:
            cols.append((name, _SQL_TYPE[f.type]))
    seen: set[str] = set()
    return [c for c in cols if not (c[0] in seen or seen.add(c[0]))]


def list_table_columns(list_key: str) -> list[tuple[str, str]]:
    fields = next(lst.columns for lst in LISTS if lst.key == list_key)
    return LINEAGE_COLUMNS + field_columns(fields) + TRAILING_COLUMNS


STATISTICS_COLUMNS = (
    [c for c in LINEAGE_COLUMNS if c[0] != "period_week"]
    + [("region", "VARCHAR")]
    + [(f.name, _SQL_TYPE[f.type]) for f in STATISTICS_FIELDS if f.name != "region"]
    + TRAILING_COLUMNS
)

# A meeting's minutes belong to no county and no reporting period: the meeting's day
# (from the file name) tells one meeting's minutes from another's.
MEETING_DECISION_COLUMNS = (
    [c for c in LINEAGE_COLUMNS if c[0] not in ("period_month", "period_week")]
    + [("meeting_day", "DATE")]
    + [(f.name, _SQL_TYPE[f.type]) for f in MEETING_DECISION_FIELDS]
    + TRAILING_COLUMNS
)

FILE_MANIFEST_COLUMNS = [
    ("submission_id", "VARCHAR PRIMARY KEY"),
    ("file_sha256", "VARCHAR"),
    ("original_path", "VARCHAR"),  # where the file lay under raw/, as metadata only
    ("file_name", "VARCHAR"),
    ("size_bytes", "BIGINT"),
    ("kind", "VARCHAR"),  # county_monthly | county_weekly | statistics | meeting_minutes
    ("region_code", "VARCHAR"),
    ("period_month", "DATE"),
    ("period_week", "DATE"),
    ("meeting_day", "DATE"),  # meeting minutes: the day of the meeting
    # The portal receipt's received_at when it matches the file, else the file's
    # modification time; the machine's local time, naive (ingest/discover.py).
    ("received_at", "TIMESTAMP"),
    ("status", "VARCHAR"),  # loaded | rejected
    ("reason", "VARCHAR"),
    ("format", "VARCHAR"),
    ("encoding", "VARCHAR"),
    ("rows_read", "INTEGER"),
    ("rows_loaded", "INTEGER"),
    ("rows_quarantined", "INTEGER"),
    ("rows_structural", "INTEGER"),
    ("cells_quarantined", "INTEGER"),  # unreadable cells of rows that loaded
    ("reference_version", "VARCHAR"),  # regions reference the file was judged against
    ("parser_version", "VARCHAR"),
    ("ingested_at", "TIMESTAMP"),
    ("submitted_by", "VARCHAR"),  # the portal account (its receipt); NULL: dropped by hand
]
SHEET_MANIFEST_COLUMNS = [
    ("submission_id", "VARCHAR"),
    ("sheet_name", "VARCHAR"),
    ("list_key", "VARCHAR"),
    ("status", "VARCHAR"),  # loaded | ignored
    ("reason", "VARCHAR"),
    ("header_rows", "VARCHAR"),
    ("unit", "VARCHAR"),
    ("ytd_header_month", "INTEGER"),  # X of 1-X月累计完成投资
    ("rows_read", "INTEGER"),
    ("rows_loaded", "INTEGER"),
    ("rows_quarantined", "INTEGER"),
    ("rows_structural", "INTEGER"),
    ("cells_quarantined", "INTEGER"),
    ("unmapped_columns", "VARCHAR[]"),
    ("field_columns", "JSON"),  # {field: {"column": "D", "header": "建设单位"}}
    ("sheet_problems", "JSON"),  # [{rule, field, column, header, excel_row, value, reason}]
]
QUARANTINE_COLUMNS = [
    ("submission_id", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("region_code", "VARCHAR"),
    ("period_month", "DATE"),
    ("period_week", "DATE"),
    ("source_file", "VARCHAR"),
    ("sheet_name", "VARCHAR"),
    ("list_key", "VARCHAR"),
    ("excel_row", "INTEGER"),
    ("column_letter", "VARCHAR"),
    ("header", "VARCHAR"),
    ("field", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("row_values", "JSON"),
    # true: the row loaded with this field empty; false: the whole row is kept out
    ("row_loaded", "BOOLEAN"),
    ("severity", "VARCHAR"),  # the contract's for the field: error | warn
]
STRUCTURAL_COLUMNS = [
    ("submission_id", "VARCHAR"),
    ("sheet_name", "VARCHAR"),
    ("excel_row", "INTEGER"),
    ("kind", "VARCHAR"),  # total | subtotal | section | note | numbered_blank
    ("text", "VARCHAR"),
]

# The reference in force for the run (raw/reference/ or the demo city's), so that the
# marts and the submitter recognition always use the same regions.
REGIONS_COLUMNS = [
    ("region_code", "VARCHAR"),
    ("region_name", "VARCHAR"),
    ("aliases", "VARCHAR"),  # |-separated
    ("region_kind", "VARCHAR"),  # 县 / 县级市 / 区 / 开发区 / 新区
    ("rank_group", "VARCHAR"),  # 县(市、区) | 开发区
    ("parent_code", "VARCHAR"),
    ("contact_email", "VARCHAR"),
]
DEPARTMENT_LEADERS_COLUMNS = [
    ("department", "VARCHAR"),
    ("leader", "VARCHAR"),
    ("email", "VARCHAR"),
]
# The project centre's exemptions from the completeness rule of the gate (SPEC §4);
# region_code 统计局 stands for the bureau's file.
EXEMPTIONS_COLUMNS = [("region_code", "VARCHAR"), ("period_month", "DATE"), ("reason", "VARCHAR")]

TABLES: dict[str, list[tuple[str, str]]] = {
    "regions": REGIONS_COLUMNS,
    "department_leaders": DEPARTMENT_LEADERS_COLUMNS,
    "exemptions": EXEMPTIONS_COLUMNS,
    "file_manifest": FILE_MANIFEST_COLUMNS,
    "sheet_manifest": SHEET_MANIFEST_COLUMNS,
    "quarantine": QUARANTINE_COLUMNS,
    "structural_rows": STRUCTURAL_COLUMNS,
    "statistics": STATISTICS_COLUMNS,
    MEETING_DECISIONS: MEETING_DECISION_COLUMNS,
    **{lst.key: list_table_columns(lst.key) for lst in LISTS},
}

VIEWS = {
    # One row per loaded submission and list; the latest received counts.
    "submission_lists": """
        select distinct s.submission_id, coalesce(s.list_key, 'statistics') as list_key,
               f.kind, f.region_code, f.period_month, f.period_week, f.meeting_day,
               f.received_at, f.file_name
        from raw.sheet_manifest s
        join raw.file_manifest f using (submission_id)
        where f.status = 'loaded' and s.status = 'loaded'
    """,
    "effective_submission_lists": """
        select *
        from raw.submission_lists
        qualify row_number() over (
            partition by kind, coalesce(region_code, ''), period_month, period_week, meeting_day,
                list_key
            order by received_at desc, file_name desc
        ) = 1
    """,
    # The file manifest with what each submission supersedes and what superseded it.
    "manifest": """
        with later_earlier as (
            select l.submission_id as later_id, e.submission_id as earlier_id
            from raw.submission_lists l
            join raw.submission_lists e
              on l.kind = e.kind
             and coalesce(l.region_code, '') = coalesce(e.region_code, '')
             and l.period_month is not distinct from e.period_month
             and l.period_week is not distinct from e.period_week
             and l.meeting_day is not distinct from e.meeting_day
             and l.list_key = e.list_key
             and (e.received_at, e.file_name) < (l.received_at, l.file_name)
        ),
        supersedes as (
            select later_id as submission_id, list(distinct earlier_id order by earlier_id)
                as supersedes
            from later_earlier group by 1
        ),
        superseded as (
            select earlier_id as submission_id, max(later_id) as superseded_by
            from later_earlier
            where later_id in (select submission_id from raw.effective_submission_lists)
            group by 1
        )
        select f.*, s.supersedes,
               case when e.submission_id is null then d.superseded_by end as superseded_by,
               e.submission_id is not null as is_effective
        from raw.file_manifest f
        left join supersedes s using (submission_id)
        left join superseded d using (submission_id)
        left join (select distinct submission_id from raw.effective_submission_lists) e
          using (submission_id)
    """,
}


def arrow_schema(columns: list[tuple[str, str]]) -> pa.Schema:
    return pa.schema([(name, _ARROW_TYPE[sql.split()[0]]) for name, sql in columns])


def create_all(con) -> None:
    con.execute("create schema if not exists raw")
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    for table, columns in TABLES.items():
        cols = ", ".join(f'"{n}" {t}' for n, t in columns)
        con.execute(f"create table if not exists raw.{table} ({cols})")
        # A warehouse made before a column was added gets it, NULL in the rows it holds.
        for name, sql_type in columns:
            if table in existing and name not in existing[table]:
                con.execute(f'alter table raw.{table} add column "{name}" {sql_type}')
    for view, sql in VIEWS.items():
        con.execute(f"create or replace view raw.{view} as {sql}")
