"""Problems of a sheet's layout that parsing found (`raw.sheet_manifest.sheet_problems`):
today a field in two columns — the first counts, the second's values are not used, and the
county is told at the header cell. Only the sheets in force count."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import WARN, query_dicts
from dagster_project.quality.list_rows import REPORT_MONTH_SQL, row_failure

DUPLICATE_COLUMN = "duplicate_column"
RULES = (DUPLICATE_COLUMN,)


def sheet_problem_failures(con, period_month: date | None = None) -> list[ListFailure]:
    sql = """
        select s.submission_id, s.sheet_name, s.list_key, s.sheet_problems, s.field_columns,
               t.region_code, t.period_month, t.period_week, t.original_path as source_file
        from raw.sheet_manifest s
        join raw.effective_submission_lists e
          on e.submission_id = s.submission_id and e.list_key = s.list_key
        join raw.file_manifest t on t.submission_id = s.submission_id
        where s.sheet_problems is not null
    """
    params: list = []
    if period_month is not None:
        sql += f" and {REPORT_MONTH_SQL} = ?"
        params.append(period_month)
    failures = []
    for row in query_dicts(con, sql + " order by source_file, s.sheet_name", params):
        for problem in json.loads(row["sheet_problems"]):
            place = {**row, "excel_row": problem["excel_row"], "source_text": None}
            failure = row_failure(
                place,
                row["list_key"],
                problem["field"],
                problem["rule"],
                WARN,
                problem["reason"],
                problem["value"],
            )
            # At the duplicate's own column, not the one the field is read from.
            failures.append(
                replace(failure, column_letter=problem["column"], header=problem["header"])
            )
    return failures
