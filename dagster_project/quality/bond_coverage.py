"""专项债 覆盖倍数 (SPEC §4): the ratio a county reports against the one its own figures
give. 本息覆盖倍数 = 项目收益 / 融资本息, here 预期收入 / 成本. When the two differ by more
than the dbt var bond_coverage_tolerance, the row warns, naming the three cells; the
warning rules use the lower of the two until the county corrects it (fct_special_bonds).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from dagster_project.dbt.project_vars import dbt_var
from dagster_project.quality.failure_table import ListFailure
from dagster_project.quality.failures import WARN, query_dicts
from dagster_project.quality.list_rows import (
    cell_place,
    effective_rows_sql,
    row_failure,
    value_text,
)

COVERAGE_MISMATCH = "coverage_ratio_mismatch"
RULES = (COVERAGE_MISMATCH,)
LIST_KEY = "special_bonds"


def coverage_mismatches(
    con, period_month: date | None = None, lists: Collection[str] | None = None
) -> list[ListFailure]:
    if lists is not None and LIST_KEY not in lists:
        return []
    tolerance = float(dbt_var("bond_coverage_tolerance"))
    rows = effective_rows_sql(LIST_KEY, ["coverage_ratio", "expected_revenue_wan", "cost_wan"])
    sql = f"""
        with listed as ({rows})
        select l.*, l.expected_revenue_wan / l.cost_wan as computed_ratio,
               f.original_path as source_file, s.field_columns
        from listed l
        join raw.file_manifest f on f.submission_id = l.submission_id
        left join raw.sheet_manifest s
          on s.submission_id = l.submission_id and s.sheet_name = l.sheet_name
        where l.coverage_ratio is not null and l.expected_revenue_wan is not null
          and l.cost_wan > 0
          and abs(l.coverage_ratio - l.expected_revenue_wan / l.cost_wan) > ?
    """
    params: list = [tolerance]
    if period_month is not None:
        sql += " and l.report_month = ?"
        params.append(period_month)
    failures = []
    for row in query_dicts(con, sql + " order by source_file, l.sheet_name, l.excel_row", params):
        reported, computed = row["coverage_ratio"], row["computed_ratio"]
        cells = "、".join(
            f"{header}（{column}列）" if column else header
            for column, header in (
                cell_place(name, row["field_columns"])
                for name in ("coverage_ratio", "expected_revenue_wan", "cost_wan")
            )
        )
        hint = (
            f"填报的覆盖倍数{value_text(reported)}与预期收入{value_text(row['expected_revenue_wan'])}"
            f"万元÷成本{value_text(row['cost_wan'])}万元 = {computed:.2f} 相差超过{tolerance:g}；"
            "本息覆盖倍数 = 项目收益 / 融资本息，请核对" + cells + "。更正前，预警按较低的"
            f"{min(reported, computed):.2f}计"
        )
        failures.append(
            row_failure(row, LIST_KEY, "coverage_ratio", COVERAGE_MISMATCH, WARN, hint, reported)
        )
    return failures
