"""The custom validation formulas, evaluated by a spreadsheet (LibreOffice), accept what
the parser accepts and flag what it would report."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import Workbook

from dagster_project.parse.codes import is_valid_project_code, normalise_project_code
from dagster_project.parse.dates import parse_month
from dagster_project.parse.flags import is_valid_phone, split_phones
from dagster_project.template.validation import (
    month_formula,
    phone_formula,
    project_code_formula,
    report_month_formula,
)

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")

FORMULAS = {
    "code": project_code_formula,
    "phone": phone_formula,
    "month": month_formula,
    "report_month": report_month_formula,
}

# (formula, cell value, whether the validation lets it pass)
CASES = [
    ("code", "2024-220281-48-01-000123", True),
    ("code", "2403-220281-48-01-000123", True),  # the older YYMM form
    ("code", "2413-220281-48-01-000123", False),  # month 13
    ("code", "2024-220281-48-01-00012", False),
    ("code", "2024-220281-48-01-0001234", False),
    ("code", "2024_220281-48-01-000123", False),
    ("code", "2024-22028A-48-01-000123", False),
    ("code", "2024-220281-48-01-0.0123", False),
    ("phone", "13912345678", True),
    ("phone", 13912345678, True),  # typed into a number cell
    ("phone", "0432-62212345", True),
    ("phone", "13912345678、0432-62212345", True),
    ("phone", "(0432)62212345转801", True),
    ("phone", "123", False),
    ("phone", "张三13912345678", False),
    ("phone", "无", False),
    ("month", datetime(2024, 3, 1), True),
    ("month", datetime(2024, 3, 15), True),
    ("month", 2024.3, True),  # parse/dates.py reads it as March 2024
    ("month", 2024.12, True),
    ("month", 12, False),
    ("month", datetime(1999, 1, 1), False),
    ("month", "2024年3月", False),  # text: a warning the clerk may pass
    ("report_month", datetime(2024, 3, 1), True),
    ("report_month", datetime(2024, 3, 15), False),
    ("report_month", 2024.3, False),
    ("report_month", "2024年3月", False),
]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """Each case's formula written into a cell beside its value, recalculated and saved
    as CSV by LibreOffice: the verdict for every case, in order."""
    folder = tmp_path_factory.mktemp("formulas")
    wb = Workbook()
    ws = wb.active
    for row, (kind, value, _passes) in enumerate(CASES, start=1):
        ws.cell(row, 1, value)
        ws.cell(row, 2, "=" + FORMULAS[kind](f"A{row}"))
    source = folder / "formulas.xlsx"
    wb.save(source)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (folder / "formulas.csv").open(encoding="utf-8", errors="replace") as f:
        return [row[1] == "TRUE" for row in csv.reader(f)]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{k}-{v}" for k, v, _ in CASES])
def test_formula_verdict(evaluated, index):
    assert evaluated[index] is CASES[index][2]


def test_what_the_workbook_lets_pass_the_parser_reads_cleanly():
    """The workbook may be stricter than the parser (it warns on 2024_220281…, which the
    parser normalises), never looser: a passing value reads without a finding."""
    for kind, value, passes in CASES:
        if not passes:
            continue
        if kind == "code":
            assert is_valid_project_code(normalise_project_code(value)), value
        elif kind == "phone":
            assert all(map(is_valid_phone, split_phones(value))), value
        else:
            assert parse_month(value) is not None, value


def test_what_the_parser_refuses_the_workbook_flags():
    for kind, value, passes in CASES:
        if kind == "code" and not is_valid_project_code(normalise_project_code(value)):
            assert not passes, value
        if kind == "phone" and not all(map(is_valid_phone, split_phones(value))):
            assert not passes, value
