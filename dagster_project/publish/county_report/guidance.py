"""What a report tells a county about putting things right: by when to send the corrected
file (SPEC §9), under which name, and whom to call at the project centre."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.ingest.reference import load_contacts
from dagster_project.publish.render.files import safe_file_name
from dagster_project.publish.render.labels import month_label

# SPEC §9: monthly lists are due on the 5th of the following month (the template says
# 每月5日前报送上月情况); a deployment with another day sets XMK_SUBMISSION_DAY.
SUBMISSION_DAY_ENV = "XMK_SUBMISSION_DAY"
DEFAULT_SUBMISSION_DAY = 5
CORRECTED_SUFFIX = "_更正"
CENTRE = "市发改委项目中心"


@dataclass(frozen=True)
class Guidance:
    """What a report tells a county about putting things right: the day of the following
    month monthly lists are due, and whom to call at the project centre."""

    submission_day: int = DEFAULT_SUBMISSION_DAY
    contacts: tuple[tuple[str, str, str], ...] = ()  # (name, phone, e-mail)


NO_GUIDANCE = Guidance()  # the due day by default, no contacts


def report_guidance(raw_dir: Path, environ: dict | None = None) -> Guidance:
    """The guidance of a run: the contacts of raw/reference/contacts.csv (else the demo
    city's), the due day from XMK_SUBMISSION_DAY (1–28, default 5)."""
    contacts = tuple((c["name"], c["phone"], c["email"]) for c in load_contacts(raw_dir))
    return Guidance(submission_day(environ), contacts)


def submission_day(environ: dict | None = None) -> int:
    """The day of the following month a month's lists are due: XMK_SUBMISSION_DAY (1–28),
    default 5."""
    environ = os.environ if environ is None else environ
    text = (environ.get(SUBMISSION_DAY_ENV) or "").strip()
    if not text:
        return DEFAULT_SUBMISSION_DAY
    if not text.isdigit() or not 1 <= int(text) <= 28:
        raise ValueError(f"{SUBMISSION_DAY_ENV} must be a day from 1 to 28, not {text!r}")
    return int(text)


def resubmission_deadline(month: date, submission_day: int) -> date:
    """A month's lists are due on `submission_day` of the month after: a correction too."""
    return date(month.year + month.month // 12, month.month % 12 + 1, submission_day)


def corrected_file_name(region: dict, month: date) -> str:
    """The name a corrected workbook is sent under, beside the first one in the month's
    folder: 220281_蛟河市_2026年10月_更正.xlsx (the code and the name say who, discovery
    reads the month from the folder, the later received file counts)."""
    stem = f"{region['region_code']}_{region['region_name']}_{month_label(month)}"
    return safe_file_name(stem + CORRECTED_SUFFIX) + ".xlsx"


def guidance_lines(
    region: dict, month: date, errors: int, warns: int, guidance: Guidance
) -> tuple[str, ...]:
    """By when to send the corrected file, under which name, and whom to call."""
    lines = []
    if errors or warns:
        due = resubmission_deadline(month, guidance.submission_day)
        when = f"{due.year}年{due.month}月{due.day}日前"
        lines.append(
            f"重新报送期限：请于{when}修改后重新报送（每月{guidance.submission_day}日前报送上月数据）。"
            if errors
            else f"如核实后需要更正，请于{when}重新报送。"
        )
        lines.append(
            f"更正文件命名：{corrected_file_name(region, month)}（在原工作簿上修改后另存为此名，"
            "不要覆盖原文件；同一月份以最后收到的文件为准）。"
        )
    people = "；".join(" ".join(p for p in contact if p) for contact in guidance.contacts)
    lines.append(f"联系人：{CENTRE} {people}。" if people else f"如有疑问请联系{CENTRE}。")
    return tuple(lines)
