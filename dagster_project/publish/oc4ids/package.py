"""The project library of one month as an OC4IDS project package (schema/): pure functions
from the month's rows to the package, tested without a warehouse.

A project of the month is one on at least one of the month's lists (fct_project_monthly):

* `id`: the publisher's project identifier prefix + `project_key` (the national 项目代码,
  else region_code:name); `identifiers`: the 项目代码 itself, when the project has one;
* `title`: 项目名称;
* `status`: the month's lifecycle stage (dim_project_history) via `codes.STATUS_CODES`;
* `sector`: 行业领域 via `codes.SECTOR_CODES`, and the value itself (with 项目级别) in
  `additionalClassifications`; `type`: 建设性质 via `codes.TYPE_CODES`;
* `budget.amount`: 总投资, 万元 × 10,000, in yuan (CNY);
* `period`: 计划开工 (the month's start) to 计划竣工 (the month's end);
* `locations`: 建设地点 as the description, the submitter (county, district, zone) as the
  address's locality;
* `parties` and `publicAuthority`: 项目法人, in the role publicAuthority;
* `metrics`: financialProgress of the year to the month's end, 本年累计完成投资 as an
  amount and 年度计划完成率 as a percentage of the annual plan (not of the total budget);
* `forecasts`: financialProgress planned for the year, 年度计划投资.

Times are the city's (UTC+8): a month runs from its first day 00:00:00 to its last day
23:59:59. Amounts keep the fen (2 decimals) and nothing finer, computed in decimal, so
that 1234.56万元 is 12345600 yuan and not 12345599.999999998.
"""

from __future__ import annotations

import calendar
import json
import math
import re
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dagster_project.publish.oc4ids.codes import (
    CURRENCY,
    OWNER_ROLE,
    PERCENT_UNIT,
    PROGRESS_METRIC,
    SECTOR_CODES,
    STATUS_CODES,
    TYPE_CODES,
    Unmapped,
)
from dagster_project.settings import BEIJING

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PACKAGE_SCHEMA = SCHEMA_DIR / "project-package-schema.json"
PROJECT_SCHEMA = SCHEMA_DIR / "project-schema.json"
LANGUAGE = "zh"
COUNTRY = "中国"
NATIONAL_CODE_SCHEME = "全国投资项目在线审批监管平台项目代码"
SECTOR_SCHEME = "项目库行业领域"
LEVEL_SCHEME = "项目库项目级别"
PROGRESS_TITLE = "财务进度"
WAN = Decimal(10_000)
FEN = Decimal("0.01")


@dataclass(frozen=True)
class ProjectMonth:
    """A project as the marts hold it for one month (export.py reads these columns)."""

    project_key: str
    period_month: date
    project_name: str
    region_code: str
    project_code: str | None = None
    project_owner: str | None = None
    region_name: str | None = None
    location: str | None = None
    sector: str | None = None
    library_level: str | None = None
    construction_type: str | None = None
    lifecycle_stage: str | None = None
    total_investment_wan: float | None = None
    annual_plan_wan: float | None = None
    ytd_completed_wan: float | None = None
    completion_rate: float | None = None
    planned_start_month: date | None = None
    planned_completion_month: date | None = None


COLUMNS = tuple(f.name for f in fields(ProjectMonth))


@dataclass(frozen=True)
class PackageHeader:
    """What the package says of itself."""

    uri: str
    publisher: str
    published_at: datetime
    license: str | None = None


def schema_version() -> str:
    """major.minor of the vendored schema, from its id (…/schema/0__9__5/…): "0.9"."""
    schema_id = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))["id"]
    found = re.search(r"/schema/(\d+)__(\d+)__\d+/", schema_id)
    if found is None:
        raise ValueError(f"no version in the vendored schema's id {schema_id!r}")
    return f"{found[1]}.{found[2]}"


def project_package(
    rows: list[ProjectMonth], header: PackageHeader, prefix: str
) -> tuple[dict, Unmapped]:
    """The package of `rows` (one month's projects), and what went out without a code."""
    unmapped = Unmapped()
    package = {
        "uri": header.uri,
        "version": schema_version(),
        "publishedDate": header.published_at.astimezone(BEIJING).isoformat(timespec="seconds"),
        "publisher": {"name": header.publisher},
    }
    if header.license:
        package["license"] = header.license
    package["projects"] = [oc4ids_project(row, prefix, unmapped) for row in rows]
    return package, unmapped


def oc4ids_project(row: ProjectMonth, prefix: str, unmapped: Unmapped) -> dict:
    project: dict = {"id": f"{prefix}-{row.project_key}", "language": LANGUAGE}
    if row.project_code:
        project["identifiers"] = [{"id": row.project_code, "scheme": NATIONAL_CODE_SCHEME}]
    project["title"] = row.project_name
    if status := unmapped.code(STATUS_CODES, "全生命周期阶段", row.lifecycle_stage):
        project["status"] = status
    if sector := unmapped.code(SECTOR_CODES, "行业领域", row.sector):
        project["sector"] = [sector]
    if kind := unmapped.code(TYPE_CODES, "建设性质", row.construction_type):
        project["type"] = kind
    if classifications := _classifications(row):
        project["additionalClassifications"] = classifications
    if _present(row.total_investment_wan):
        project["budget"] = {"description": "总投资", "amount": _yuan(row.total_investment_wan)}
    if period := _period(row.planned_start_month, row.planned_completion_month):
        project["period"] = period
    if location := _location(row):
        project["locations"] = [location]
    if row.project_owner:
        owner = {"id": "1", "name": row.project_owner}
        project["publicAuthority"] = owner
        project["parties"] = [{**owner, "roles": [OWNER_ROLE]}]
    if observations := _progress(row):
        project["metrics"] = [_metric(observations)]
    if _present(row.annual_plan_wan):
        year = row.period_month.year
        planned = {
            "id": f"{year}-annual-plan",
            "period": _period(date(year, 1, 1), date(year, 12, 1)),
            "value": _yuan(row.annual_plan_wan),
            "notes": f"{year}年度计划投资",
        }
        project["forecasts"] = [_metric([planned])]
    return project


def _classifications(row: ProjectMonth) -> list[dict]:
    """The city's own 行业领域 and 项目级别, as reported: the sector stays readable when it
    has no projectSector code."""
    found = []
    for scheme, value in ((SECTOR_SCHEME, row.sector), (LEVEL_SCHEME, row.library_level)):
        if value and value.strip():
            found.append({"scheme": scheme, "id": value.strip(), "description": value.strip()})
    return found


def _progress(row: ProjectMonth) -> list[dict]:
    """The year's financial progress to the end of the month."""
    month = row.period_month
    year_to_date = _period(date(month.year, 1, 1), month)
    months = "1月" if month.month == 1 else f"1-{month.month}月"
    observations = []
    if _present(row.ytd_completed_wan):
        observations.append(
            {
                "id": f"{month:%Y-%m}-ytd-completed",
                "period": year_to_date,
                "value": _yuan(row.ytd_completed_wan),
                "notes": f"本年累计完成投资（{month.year}年{months}）",
            }
        )
    if _present(row.completion_rate):
        observations.append(
            {
                "id": f"{month:%Y-%m}-annual-plan-completion",
                "period": year_to_date,
                "measure": _number(_scaled(row.completion_rate, 100)),
                "unit": dict(PERCENT_UNIT),
                "notes": "年度计划完成率：本年累计完成投资占年度计划投资的百分比",
            }
        )
    return observations


def _metric(observations: list[dict]) -> dict:
    return {"id": PROGRESS_METRIC, "title": PROGRESS_TITLE, "observations": observations}


def _location(row: ProjectMonth) -> dict | None:
    location: dict = {"id": "1"}
    if row.location and row.location.strip():
        location["description"] = row.location.strip()
    if row.region_name:
        location["address"] = {"locality": row.region_name, "countryName": COUNTRY}
    return location if len(location) > 1 else None


def _period(start_month: date | None, end_month: date | None) -> dict | None:
    """From the first moment of `start_month` to the last of `end_month`, in the city's time."""
    period = {}
    if start_month is not None:
        first = datetime.combine(start_month.replace(day=1), time(0, 0, 0), BEIJING)
        period["startDate"] = first.isoformat()
    if end_month is not None:
        last_day = calendar.monthrange(end_month.year, end_month.month)[1]
        last = datetime.combine(end_month.replace(day=last_day), time(23, 59, 59), BEIJING)
        period["endDate"] = last.isoformat()
    return period or None


def _yuan(wan: float) -> dict:
    """An amount in 万元 as an OC4IDS Value in yuan."""
    return {"amount": _number(_scaled(wan, WAN)), "currency": CURRENCY}


def _scaled(value: float, factor: Decimal | int) -> Decimal:
    """`value` × `factor` in decimal, to 2 places (a float's shortest repr is its value)."""
    return (Decimal(repr(value)) * factor).quantize(FEN, rounding=ROUND_HALF_UP)


def _present(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _number(value: Decimal) -> int | float:
    """A whole number as an integer (120000000, not 120000000.0)."""
    return int(value) if value == value.to_integral_value() else float(value)
