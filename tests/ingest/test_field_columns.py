"""Ingestion records where each field sits in its sheet, so a data-quality report can
point at the cell; a warehouse made before that record existed gains the column."""

from __future__ import annotations

import json

import duckdb

from dagster_project.ingest.load import ingest
from dagster_project.ingest.schema import SHEET_MANIFEST_COLUMNS, TABLES, create_all
from tests.workbooks import TEMPLATE_UNDER_CONSTRUCTION, title_rows, write_xlsx


def test_each_field_is_recorded_with_its_column_letter_and_header(tmp_path):
    header = ["建设起止年限" if h == "计划开工时间" else h for h in TEMPLATE_UNDER_CONSTRUCTION]
    row = [1, None, "项目", "公司", "某镇", 8000, 2000, 500, "2023-2025", "2024.4", "某局", "张三",
           "13912345678"]  # fmt: skip
    write_xlsx(
        tmp_path / "raw" / "2026-10" / "220281_蛟河市.xlsx",
        {
            "在建项目": [
                *title_rows("在建项目", "蛟河市"),
                [*header[:3], "建设单位", *header[4:]],
                row,
            ]
        },
    )
    db = tmp_path / "warehouse.duckdb"
    ingest(tmp_path / "raw", db, jobs=1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (text,) = con.execute("select field_columns from raw.sheet_manifest").fetchone()
    finally:
        con.close()
    columns = json.loads(text)
    assert columns["project_owner"] == {"column": "D", "header": "建设单位"}
    assert columns["ytd_completed_wan"] == {"column": "H", "header": "1-X月累计完成投资（万元）"}
    # 建设起止年限 gives both the planned start and the planned completion.
    assert columns["planned_start"]["column"] == columns["planned_completion"]["column"] == "I"
    assert columns["contact_phone"]["column"] == "M"


def test_a_warehouse_made_before_a_column_existed_gains_it(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    try:
        con.execute("create schema raw")
        older = [c for c in SHEET_MANIFEST_COLUMNS if c[0] != "field_columns"]
        con.execute(
            "create table raw.sheet_manifest (" + ", ".join(f"{n} {t}" for n, t in older) + ")"
        )
        con.execute("insert into raw.sheet_manifest (submission_id) values ('old')")
        create_all(con)
        columns = [r[0] for r in con.execute("describe raw.sheet_manifest").fetchall()]
        assert sorted(columns) == sorted(n for n, _ in TABLES["sheet_manifest"])
        assert con.execute("select field_columns from raw.sheet_manifest").fetchall() == [(None,)]
    finally:
        con.close()
