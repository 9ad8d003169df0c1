"""How a finding is put into words: values as a clerk writes them, weekly lists under
the month the rest of the system reports them in."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from dagster_project.quality.failures import report_month
from dagster_project.quality.list_rows import REPORT_MONTH_SQL, cell_place, cell_text, value_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1200.0, "1200"),
        (12000.000000000002, "12000"),  # 1.2亿元 converted to 万元
        (0.85, "0.85"),
        (date(2026, 3, 1), "2026-03-01"),
        (pd.Timestamp("2026-03-01"), "2026-03-01"),
        (float("nan"), None),
        (pd.NaT, None),
        (None, None),
        ("张三", "张三"),
    ],
)
def test_a_value_is_written_as_a_clerk_would(value, text):
    assert value_text(value) == text


def test_the_text_typed_in_the_cell_wins_over_the_stored_value():
    assert cell_text("total_investment_wan", 12000.0, '{"total_investment_wan": "1.2亿元"}') == (
        "1.2亿元"
    )
    assert cell_text("total_investment_wan", 12000.0, None) == "12000"


def test_a_field_without_a_recorded_column_gets_the_template_header():
    assert cell_place("project_owner", None) == (None, "项目法人")
    recorded = '{"project_owner": {"column": "D", "header": "建设单位"}}'
    assert cell_place("project_owner", recorded) == ("D", "建设单位")


def test_a_week_is_reported_in_the_month_of_its_thursday_in_sql_as_in_python():
    mondays = [date(2026, 9, 28) + timedelta(weeks=i) for i in range(-6, 20)]
    con = duckdb.connect()
    try:
        con.execute("create table t (period_month date, period_week date)")
        con.executemany("insert into t values (null, ?)", [[m] for m in mondays])
        con.execute("insert into t values ('2026-10-01', null)")
        in_sql = con.execute(f"select {REPORT_MONTH_SQL} from t").fetchall()
    finally:
        con.close()
    in_python = [report_month(None, m) for m in mondays] + [date(2026, 10, 1)]
    assert [r[0] for r in in_sql] == in_python
    assert report_month(None, date(2026, 9, 28)) == date(2026, 10, 1)  # Thu 1 October
