"""What a county report says, built once for both formats: the verdict, the guidance, the
summary tables and one detail row per failure, each problem in the clerk's words."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.utils import column_index_from_string

from dagster_project.contract import FIELD_BY_NAME
from dagster_project.parse.guards import split_gloss
from dagster_project.publish.county_report.guidance import (
    CENTRE,
    NO_GUIDANCE,
    Guidance,
    guidance_lines,
)
from dagster_project.publish.render.labels import month_label
from dagster_project.quality.failures import ERROR, WARN, Failure
from dagster_project.quality.rules import rule_hint, rule_name

DETAIL_SHEET = "明细"
DETAIL_HEADERS = (
    "文件",
    "工作表",
    "行号",
    "列",
    "字段(表头)",
    "填报值",
    "问题",
    "级别",
    "修改建议",
    "规则编号",
)
# The column for the project centre: the rule id, and a refusal's English gloss.
RULE_ID_HEADER = "规则编号"
SEVERITY_LABELS = {"error": "错误", "warn": "警告"}
NO_ERRORS = "无错误"
ANNOTATED = "问题单元格已标色并加批注"


def verdict(errors: int) -> str:
    return f"存在{errors}项错误，须修改后重新报送" if errors else NO_ERRORS


def problem_text(failure: Failure) -> str:
    """The 问题 column: the rule's Chinese name."""
    return rule_name(failure.rule)


def hint_text(failure: Failure) -> str:
    """The 修改建议 column: the failure's own hint (a refusal's without its English gloss),
    else the rule's general one."""
    hint = split_gloss(failure.hint)[0] if failure.hint else None
    return hint or rule_hint(failure.rule) or ""


def rule_id_text(failure: Failure) -> str:
    """The 规则编号 column, for the project centre: the rule id, and the English gloss of
    a refusal (rejected_file [encrypted workbook])."""
    gloss = split_gloss(failure.hint)[1] if failure.hint else None
    return f"{failure.rule} [{gloss}]" if gloss else failure.rule


def field_text(failure: Failure) -> str:
    """The 字段(表头) column: the header as the county wrote it, else the template's."""
    if failure.header:
        return failure.header
    known = FIELD_BY_NAME.get(failure.field or "")
    return known.header if known else failure.field or ""


def column_number(letter: str | None) -> int:
    return column_index_from_string(letter) if letter else 0


def detail_order(failure: Failure) -> tuple:
    """File, sheet, row, column (B before AA), then rule."""
    return (
        failure.source_file,
        failure.sheet or "",
        failure.excel_row or 0,
        column_number(failure.column_letter),
        failure.rule,
    )


@dataclass(frozen=True)
class Table:
    heading: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class Annotation:
    source_file: str
    annotated_name: str | None  # None: could not be annotated, see note
    note: str


@dataclass(frozen=True)
class ReportContent:
    """What both the .xlsx and the .html show, built once."""

    title: str
    facts: tuple[str, ...]
    verdict: str
    errors: int
    warnings: int
    guidance: tuple[str, ...]  # by when, under which name, whom to call
    summary_tables: tuple[Table, ...]
    notes: tuple[str, ...]
    detail: Table
    detail_severities: tuple[str, ...]  # per detail row, for colouring
    by_sheet: tuple[tuple[str, str, int, int], ...]  # (file, sheet, errors, warnings)


def report_content(
    region: dict,
    month: date,
    failures: Sequence[Failure],
    annotations: Sequence[Annotation],
    guidance: Guidance = NO_GUIDANCE,
) -> ReportContent:
    ordered = sorted(failures, key=detail_order)
    errors = sum(f.is_error for f in ordered)
    warns = len(ordered) - errors

    by_sheet: dict[tuple[str, str], Counter] = defaultdict(Counter)
    by_rule: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for f in ordered:
        by_sheet[(f.source_file, f.sheet or "（整个文件）")][f.severity] += 1
        by_rule[(problem_text(f), f.rule)][f.severity] += 1  # one name, one rule
    sheet_rows = tuple(
        (file, sheet, c[ERROR], c[WARN]) for (file, sheet), c in sorted(by_sheet.items())
    )
    rule_rows = tuple(
        (label, c[ERROR], c[WARN], rule)
        for (label, rule), c in sorted(by_rule.items(), key=lambda kv: (-kv[1][ERROR], kv[0]))
    )
    tables = [
        Table(
            "按文件和工作表",
            ("文件", "工作表", "错误", "警告"),
            (*sheet_rows, ("合计", "", errors, warns)),
        ),
        Table("按问题", ("问题", "错误", "警告", RULE_ID_HEADER), rule_rows),
    ]
    file_level = [f for f in ordered if f.excel_row is None]
    if file_level:
        tables.append(
            Table(
                "文件级问题",
                ("文件", "问题", "级别", "修改建议"),
                tuple(
                    (f.source_file, problem_text(f), SEVERITY_LABELS[f.severity], hint_text(f))
                    for f in file_level
                ),
            )
        )
    if annotations:
        tables.append(
            Table(
                "退回的标注文件",
                ("原文件", "标注文件", "说明"),
                tuple(
                    (a.source_file, a.annotated_name or "（未标注）", a.note) for a in annotations
                ),
            )
        )
    detail = Table(
        DETAIL_SHEET,
        DETAIL_HEADERS,
        tuple(
            (
                f.source_file,
                f.sheet or "",
                f.excel_row,
                f.column_letter or "",
                field_text(f),
                f.value,
                problem_text(f),
                SEVERITY_LABELS[f.severity],
                hint_text(f),
                rule_id_text(f),
            )
            for f in ordered
        ),
    )
    return ReportContent(
        title=f"数据质量报告：{region['region_name']} {month_label(month)}",
        facts=(
            f"报送单位：{region['region_name']}（{region['region_code']}）",
            f"报送月份：{month_label(month)}",
        ),
        verdict=verdict(errors),
        errors=errors,
        warnings=warns,
        guidance=guidance_lines(region, month, errors, warns, guidance),
        summary_tables=tuple(tables),
        notes=(
            "“明细”表逐项列出问题所在的文件、工作表、Excel行号和列，请按“修改建议”修改原工作簿后重新报送。",
            "“错误”须修改后重新报送，否则本月数据不予发布；“警告”请核实，确认无误的可不修改。",
            "退回的标注文件中，错误单元格标红、警告单元格标黄，鼠标移到单元格上可查看批注。",
            f"“{RULE_ID_HEADER}”列供{CENTRE}查找检查规则，填报时无需理会。",
        ),
        detail=detail,
        detail_severities=tuple(f.severity for f in ordered),
        by_sheet=sheet_rows,
    )
