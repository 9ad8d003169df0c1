"""A whole submitted file → its submitter and its parsed list sheets.

This is where a county workbook is read: guards first, then every sheet is recognised
as one of the seven lists (by its name, else by its header), its header found, its rows
typed. The statistics bureau's file and a meeting's minutes (会议纪要) go through the same
steps with their own fields.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from dagster_project.contract import (
    LISTS,
    MEETING_DECISION_FIELDS,
    MEETING_DECISIONS,
    STATISTICS_FIELDS,
)
from dagster_project.parse.grid import Grid, column_letter, read_grids
from dagster_project.parse.guards import FileRejected, inspect_file
from dagster_project.parse.headers import FieldMatcher, find_header
from dagster_project.parse.period import check_period
from dagster_project.parse.sheet import ParsedSheet, parse_rows
from dagster_project.parse.submitter import (
    RegionIndex,
    confirm_submitter,
    recognise_submitter,
)
from dagster_project.parse.text import clean_text

COUNTY_MONTHLY = "county_monthly"
COUNTY_WEEKLY = "county_weekly"
STATISTICS = "statistics"
MEETING_MINUTES = "meeting_minutes"
STATISTICS_LIST = "statistics"

_STATISTICS_FIELDS = FieldMatcher(STATISTICS_FIELDS)
_MEETING_FIELDS = FieldMatcher(MEETING_DECISION_FIELDS)
# A decision row names who owns it or by when; a row without either is a 合计, a section
# heading (一、项目推进) or a note under the table.
_DECISION_IDENTITY = ("owner_department", "deadline", "responsible_person")
_SHEET_NOISE = re.compile(r"附件\s*\d*|附表\s*\d*|清单|明细|[表\s\d\-_.、()（）:：]")
_LIST_PATTERNS = [(lst, [re.compile(p) for p in lst.name_patterns]) for lst in LISTS]


@dataclass
class ParsedFile:
    file_sha256: str
    file_name: str
    kind: str
    status: str = "loaded"  # loaded | rejected
    reason: str | None = None
    format: str | None = None
    encoding: str | None = None
    region_code: str | None = None
    sheets: list[ParsedSheet] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(
    file_name: str,
    data: bytes,
    kind: str,
    regions: RegionIndex,
    period_month: date | None = None,
    submitter: str | None = None,
) -> ParsedFile:
    """Never raises for a bad file: a refused file comes back with status "rejected" and
    the reason — whatever went wrong inside the readers, one file never stops the others.
    `period_month`, the month folder of a monthly file, is checked against the month the
    file itself names (parse/period.py). `submitter`, the region of the portal account
    that sent a county file (its receipt), is the file's submitter: the file name is not
    read for one, and title rows naming another unit refuse the file."""
    parsed = ParsedFile(sha256(data), file_name, kind)
    if submitter is not None and kind != STATISTICS and submitter in regions.by_code:
        parsed.region_code = submitter  # a refusal below is still the account's
    try:
        facts = inspect_file(file_name, data)
        parsed.format, parsed.encoding = facts.format, facts.encoding
        grids = read_grids(file_name, data, facts)
        if kind == MEETING_MINUTES:
            parsed.sheets = [
                _minutes_sheet(g, facts.uncached_formulas.get(g.name, frozenset())) for g in grids
            ]
            if not any(s.status == "loaded" for s in parsed.sheets):
                raise FileRejected(
                    "会议纪要中找不到“议定事项、责任单位、完成时限”等表头，"
                    "请按一行一项议定事项填写 [no header]"
                )
            return parsed
        if kind == STATISTICS:
            found = [_statistics_sheet(g, regions) for g in grids]
            parsed.sheets = [sheet for sheet, _titles in found]
            titles = [t for _sheet, lines in found for t in lines]
            if not any(s.status == "loaded" for s in parsed.sheets):
                raise FileRejected(
                    "统计局文件中找不到“地区、固定资产投资本年累计”等表头 [no header]"
                )
        else:
            try:
                sheets, titles = _county_sheets(file_name, grids, facts.uncached_formulas, kind)
            except FileRejected:
                _refuse_big5(file_name, data, facts.encoding)
                raise
            if submitter is not None:
                parsed.region_code = confirm_submitter(regions, submitter, titles)
            else:
                parsed.region_code = recognise_submitter(regions, _stem(file_name), titles)
            parsed.sheets = sheets
        if period_month is not None and kind != COUNTY_WEEKLY:
            check_period(
                period_month,
                titles,
                [(s.sheet_name, s.ytd_month) for s in parsed.sheets if s.ytd_month is not None],
            )
    except FileRejected as exc:
        parsed.status, parsed.reason, parsed.sheets = "rejected", str(exc), []
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a reader's own failure on one file, its panics included
        parsed.status, parsed.sheets = "rejected", []
        parsed.reason = (
            "文件无法读取（读取时出错），请用Excel或WPS打开后另存为.xlsx再报送 "
            f"[{type(exc).__name__}: {str(exc)[:300]}]"
        )
    return parsed


# Words of the template's header in traditional characters.
_TRADITIONAL_HEADER_WORDS = ("項目", "名稱", "總投資", "建設", "單位", "計劃", "責任", "開工")


def _refuse_big5(file_name: str, data: bytes, encoding: str | None) -> None:
    """A CSV in Big5 (traditional characters) also decodes as GB18030, into nonsense with
    no header; when the same bytes read as Big5 hold the words of a header, say it is the
    encoding."""
    if encoding != "gb18030":
        return
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return
    if sum(word in text for word in _TRADITIONAL_HEADER_WORDS) >= 2:
        raise FileRejected(
            "CSV文件为繁体中文Big5编码，请另存为UTF-8编码的CSV或Excel工作簿后报送 [Big5 text]"
        )


def recognise_list(sheet_name: str) -> str | None:
    """The list a sheet name stands for, tolerant of 附件N, 清单 and spacing."""
    core = _SHEET_NOISE.sub("", sheet_name)
    for lst, patterns in _LIST_PATTERNS:
        if any(p.search(core) for p in patterns):
            return lst.key
    return None


def _county_sheets(file_name, grids: list[Grid], uncached, kind):
    sheets, titles = [], []
    recognised_any = False
    for grid in grids:
        list_key = recognise_list(grid.name)  # a CSV's grid is named after its file
        header = find_header(grid)
        if header:
            titles += header.title_lines
        if list_key is None and header is not None:
            list_key = _list_by_signature({c.field for c in header.columns if c.field})
        if list_key is None:
            sheets.append(_ignored(grid, "不是七类清单之一（按表名和表头均无法识别），未读取"))
            continue
        if header is None:
            if not _has_content(grid):
                sheets.append(_ignored(grid, "空表"))
                continue
            raise FileRejected(
                f"工作表“{grid.name}”找不到表头：表头应包含“项目名称、项目法人、总投资”等列，"
                "请使用统一模板 [no header row found]"
            )
        if kind == COUNTY_WEEKLY and list_key != "unstated":
            sheets.append(_ignored(grid, "周报只接收“已开工未入统”清单，本表未读取"))
            continue
        recognised_any = True
        sheets.append(parse_rows(grid, header, list_key, uncached.get(grid.name, frozenset())))
    if not recognised_any:
        raise FileRejected(
            "文件中没有可识别的清单工作表（在建项目、已开工未入统、专项债券项目、明年拟开工、"
            "重大谋划项目、招商引资签约项目、问题台账） [no list sheet recognised]"
        )
    return sheets, titles


def _list_by_signature(fields_present: set[str]) -> str | None:
    for lst in LISTS:
        if lst.signature and set(lst.signature) <= fields_present:
            return lst.key
    return None


def _statistics_sheet(grid: Grid, regions: RegionIndex) -> tuple[ParsedSheet, list[str]]:
    """The bureau's sheet, and its title rows."""
    header = find_header(grid, _STATISTICS_FIELDS, min_matches=2)
    if header is None:
        return _ignored(grid, "找不到统计表头"), []
    sheet = parse_rows(grid, header, STATISTICS_LIST, identity_fields=())
    region_col = header.column_for("region")
    kept, dropped = [], set()
    for row in sheet.rows:
        text = row.get("region") or ""
        codes = regions.named_in(text)
        if len(codes) == 1:
            row["region_code"] = next(iter(codes))
            kept.append(row)
        elif re.match(r"^(全市|全省|全州|合计|总计)", text):
            sheet.structural.append({"excel_row": row["excel_row"], "kind": "total", "text": text})
        else:
            dropped.add(row["excel_row"])
            sheet.quarantine.append(
                {
                    "excel_row": row["excel_row"],
                    "column": "A" if region_col is None else column_letter(region_col.index),
                    "header": region_col.label if region_col else "地区",
                    "field": "region",
                    "value": text,
                    "reason": f"地区“{text}”不在区划表中，请使用规范的县（市、区）名称",
                    "row_values": {},
                    # The row names no region, so it cannot load; the project centre
                    # is told (the bureau's file is not a county's to correct).
                    "row_loaded": False,
                    "severity": "warn",
                }
            )
    sheet.rows = kept
    for q in sheet.quarantine:  # the unreadable cells of a row that did not load
        if q["excel_row"] in dropped:
            q["row_loaded"] = False
    return sheet, header.title_lines


def _minutes_sheet(grid: Grid, uncached: frozenset) -> ParsedSheet:
    """The decisions of one sheet of a meeting's minutes."""
    header = find_header(grid, _MEETING_FIELDS, min_matches=2)
    if header is None or header.column_for("decision") is None:
        if not _has_content(grid):
            return _ignored(grid, "空表")
        return _ignored(grid, "找不到“议定事项”表头，未读取")
    return parse_rows(grid, header, MEETING_DECISIONS, uncached, identity_fields=_DECISION_IDENTITY)


def _ignored(grid: Grid, reason: str) -> ParsedSheet:
    return ParsedSheet(grid.name, None, "ignored", reason)


def _has_content(grid: Grid) -> bool:
    return any(clean_text(v) is not None for row in grid.rows for v in row)


def _stem(file_name: str) -> str:
    return file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
