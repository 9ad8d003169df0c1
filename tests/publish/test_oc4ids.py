"""`xmk export oc4ids` (SPEC §10): a month of the project library as an OC4IDS project
package, valid against the OC4IDS schema vendored in dagster_project/publish/oc4ids/schema/
— draft 4, the project schema resolved locally by its URL, date-times and URIs checked —
and saying what the scenario city's marts say (tests/dbt/city.py, built once per session)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry, Resource

from dagster_project.cli import main
from dagster_project.publish.oc4ids import codes
from dagster_project.publish.oc4ids.config import ConfigError, read_oc4ids_config
from dagster_project.publish.oc4ids.export import MonthNotFound, export_oc4ids
from dagster_project.publish.oc4ids.package import (
    PACKAGE_SCHEMA,
    PROJECT_SCHEMA,
    SCHEMA_DIR,
    PackageHeader,
    ProjectMonth,
    oc4ids_project,
    project_package,
)
from dagster_project.settings import DBT_PROJECT_DIR
from tests.conftest import cron_env
from tests.dbt.city import CODE

XMK = Path(sys.executable).parent / "xmk"
OCTOBER = date(2026, 10, 1)
PREFIX = "oc4ids-000000"
HEADER = PackageHeader(
    uri="https://data.example.gov.cn/oc4ids/2026-10.json",
    publisher="吉林市发展和改革委员会",
    published_at=datetime(2026, 11, 12, 1, 30, tzinfo=UTC),
)

# ------------------------------------------------------------------ the schema

# RFC 3339 date-time, as OC4IDS means it: date, time and an offset (jsonschema checks
# date-time and uri only with optional packages this project does not install).
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_DATE_TIME.fullmatch(value)) and bool(datetime.fromisoformat(value))


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    return not isinstance(value, str) or bool(_URI.fullmatch(value))


def _schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    package, project = _schema(PACKAGE_SCHEMA), _schema(PROJECT_SCHEMA)
    # The draft both files declare picks the validator; their `id` URLs are where the
    # package schema's $ref finds the project schema, here and nowhere on the network.
    assert package["$schema"] == project["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert validator_for(package) is Draft4Validator
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema)) for schema in (package, project)
    )
    assert package["properties"]["projects"]["items"]["$ref"] == project["id"]
    return Draft4Validator(package, registry=registry, format_checker=FORMATS)


def errors(validator: Draft4Validator, package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(package)
    ]


def test_the_format_checks_refuse_what_oc4ids_refuses(validator):
    assert not FORMATS.conforms("2026-10-01", "date-time")
    assert not FORMATS.conforms("2026-10-01 00:00:00+08:00", "date-time")
    assert FORMATS.conforms("2026-10-01T00:00:00+08:00", "date-time")
    assert not FORMATS.conforms("data.example.gov.cn/x.json", "uri")
    package, _ = project_package([_row()], HEADER, PREFIX)
    package["publishedDate"] = "2026-11-12"
    assert errors(validator, package) == ["publishedDate: '2026-11-12' is not a 'date-time'"]


def test_each_project_is_checked_against_the_local_project_schema(validator):
    package, _ = project_package([_row(total_investment_wan=100.0)], HEADER, PREFIX)
    project = package["projects"][0]
    project["status"] = "在建"
    project["budget"]["amount"]["currency"] = "RMB"
    project["period"] = {"startDate": "2026-10"}
    found = {e.json_path: e.validator for e in validator.iter_errors(package)}
    assert found == {
        "$.projects[0].status": "enum",
        "$.projects[0].budget.amount.currency": "enum",
        "$.projects[0].period.startDate": "format",
    }


def _codelist(codelist: str) -> set[str]:
    with (SCHEMA_DIR / "codelists" / codelist).open(encoding="utf-8", newline="") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def test_every_code_the_export_uses_is_in_the_vendored_codelists():
    assert {c for c in codes.SECTOR_CODES.values() if c} <= _codelist("projectSector.csv")
    assert {c for c in codes.STATUS_CODES.values() if c} <= _codelist("projectStatus.csv")
    assert {c for c in codes.TYPE_CODES.values() if c} <= _codelist("projectType.csv")
    assert codes.OWNER_ROLE in _codelist("partyRole.csv")
    assert codes.PROGRESS_METRIC in _codelist("metricID.csv")
    assert codes.PERCENT_UNIT["scheme"] in _codelist("unitClassificationScheme.csv")


def _seed(name: str, column: str) -> set[str]:
    with (DBT_PROJECT_DIR / "seeds" / name).open(encoding="utf-8", newline="") as f:
        return {row[column] for row in csv.DictReader(f)}


def test_every_value_of_the_citys_code_lists_has_a_row_in_its_mapping_table():
    assert set(codes.SECTOR_CODES) == _seed("sectors.csv", "sector")
    assert set(codes.STATUS_CODES) == _seed("lifecycle_stages.csv", "lifecycle_stage")
    assert set(codes.TYPE_CODES) == _seed("construction_types.csv", "construction_type")


def test_the_vendored_schema_names_its_source_commit_and_licence():
    notice = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    assert "https://github.com/open-contracting/infrastructure" in notice
    assert "74789408afc8c44a72922d2aa5b091cddcb21604" in notice
    assert "Apache License" in (SCHEMA_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "/0__9__5/" in _schema(PACKAGE_SCHEMA)["id"]


# ------------------------------------------------------------------ one project, by hand


def _row(**values) -> ProjectMonth:
    base = {
        "project_key": "2026-220281-48-01-000099",
        "period_month": OCTOBER,
        "project_name": "某项目",
        "region_code": "220281",
    }
    return ProjectMonth(**{**base, **values})


def test_a_project_with_only_a_key_and_a_name_is_valid(validator):
    package, unmapped = project_package([_row()], HEADER, PREFIX)
    assert errors(validator, package) == []
    assert package["projects"] == [
        {"id": f"{PREFIX}-2026-220281-48-01-000099", "language": "zh", "title": "某项目"}
    ]
    assert unmapped.describe() == []


def test_amounts_in_wan_are_yuan_to_the_fen_without_float_error():
    project = oc4ids_project(
        _row(total_investment_wan=1234.56, annual_plan_wan=0.015, ytd_completed_wan=12000.0),
        PREFIX,
        codes.Unmapped(),
    )
    assert project["budget"]["amount"] == {"amount": 12345600, "currency": "CNY"}
    assert project["forecasts"][0]["observations"][0]["value"]["amount"] == 150
    assert project["metrics"][0]["observations"][0]["value"]["amount"] == 120000000


def test_a_sector_without_a_code_is_reported_and_kept_as_the_citys_classification():
    unmapped = codes.Unmapped()
    built = [
        oc4ids_project(_row(project_key=str(i), sector=sector), PREFIX, unmapped)
        for i, sector in enumerate(["城建", "交通", "城建", "文化旅游", None])
    ]
    assert ["sector" in p for p in built] == [False, True, False, False, False]
    assert built[1]["sector"] == ["transport"]
    assert built[0]["additionalClassifications"] == [
        {"scheme": "项目库行业领域", "id": "城建", "description": "城建"}
    ]
    assert unmapped.describe() == ["行业领域: 城建 (2), 文化旅游 (1)"]


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("招商落地", "identification"),
        ("前期审批", "preparation"),
        ("开工建设", "implementation"),
        ("入库纳统", "implementation"),
        ("竣工验收", "completion"),
        ("投产达效", "maintenance"),
        ("待核实", None),
    ],
)
def test_status_follows_the_months_lifecycle_stage(stage, status):
    project = oc4ids_project(_row(lifecycle_stage=stage), PREFIX, codes.Unmapped())
    assert project.get("status") == status


def test_january_progress_is_the_first_month_and_a_rate_is_a_percentage(validator):
    row = _row(period_month=date(2027, 1, 1), ytd_completed_wan=50.0, completion_rate=1 / 12)
    package, _ = project_package([row], HEADER, PREFIX)
    assert errors(validator, package) == []
    ytd, rate = package["projects"][0]["metrics"][0]["observations"]
    assert ytd["notes"] == "本年累计完成投资（2027年1月）"
    assert ytd["period"] == {
        "startDate": "2027-01-01T00:00:00+08:00",
        "endDate": "2027-01-31T23:59:59+08:00",
    }
    assert rate["measure"] == 8.33
    assert rate["unit"] == {"name": "percent", "id": "P1", "scheme": "UNCEFACT"}


# ------------------------------------------------------------------ the scenario city


@pytest.fixture(scope="module")
def exported(scenario, tmp_path_factory) -> tuple[dict, object]:
    out = tmp_path_factory.mktemp("oc4ids") / "项目库_2026-10.json"
    result = export_oc4ids(
        scenario / "warehouse" / "published.duckdb", out, scenario / "raw" / "reference"
    )
    return json.loads(out.read_text(encoding="utf-8")), result


def _project(package: dict, code: str) -> dict:
    (found,) = [p for p in package["projects"] if p["id"] == f"{PREFIX}-{code}"]
    return found


def test_the_latest_month_is_exported_and_valid(exported, validator):
    package, result = exported
    assert errors(validator, package) == []
    assert result.month == OCTOBER and result.projects == len(package["projects"]) == 13
    assert package["version"] == "0.9"
    assert package["publisher"] == {"name": "市发展和改革委员会"}  # the 通报's default issuer
    assert package["uri"] == result.path.as_uri()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", package["publishedDate"])


def test_a_project_under_construction_says_what_the_marts_say(exported):
    a4 = _project(exported[0], CODE["A4"])
    assert a4["title"] == "A4项目"
    assert a4["identifiers"] == [
        {"id": CODE["A4"], "scheme": "全国投资项目在线审批监管平台项目代码"}
    ]
    assert a4["status"] == "implementation"  # 入库纳统
    assert a4["sector"] == ["economy"]  # 工业
    assert "type" not in a4  # 续建
    assert a4["budget"]["amount"] == {"amount": 120000000, "currency": "CNY"}  # 12000万元
    assert a4["publicAuthority"] == {"id": "1", "name": "项目公司4"}
    assert a4["parties"] == [{"id": "1", "name": "项目公司4", "roles": ["publicAuthority"]}]
    assert a4["locations"] == [
        {"id": "1", "description": "某镇", "address": {"locality": "蛟河市", "countryName": "中国"}}
    ]
    assert a4["period"] == {"startDate": "2025-05-01T00:00:00+08:00"}
    ytd, rate = a4["metrics"][0]["observations"]
    assert ytd["value"] == {"amount": 24000000, "currency": "CNY"}  # 2400万 to October
    assert ytd["period"]["endDate"] == "2026-10-31T23:59:59+08:00"
    assert rate["measure"] == 80  # 2400 of the annual plan's 3000
    assert a4["forecasts"][0]["observations"][0]["value"]["amount"] == 30000000


def test_planned_projects_are_in_preparation_or_identification(exported):
    package, result = exported
    by_title = {p["title"]: p for p in package["projects"]}
    snow_town = by_title["蛟河市冰雪小镇项目"]  # no 项目代码: the key is region:name
    assert snow_town["id"] == f"{PREFIX}-220281:蛟河市冰雪小镇项目"
    assert "identifiers" not in snow_town
    assert snow_town["status"] == "preparation"  # 明年拟开工, 前期审批
    assert snow_town["type"] == "construction"  # 新建
    assert snow_town["period"] == {
        "startDate": "2026-12-01T00:00:00+08:00",
        "endDate": "2028-12-31T23:59:59+08:00",
    }
    assert "metrics" not in snow_town and "forecasts" not in snow_town
    assert by_title["蛟河市新能源产业园"]["status"] == "identification"  # 谋划
    assert by_title["A2项目"]["status"] == "implementation"  # 开工建设, not yet 入统
    assert result.unmapped.describe() == ["建设性质: 续建 (7)"]


def test_an_earlier_month_carries_that_months_progress(scenario, tmp_path, validator):
    out = tmp_path / "2025-10.json"
    result = export_oc4ids(
        scenario / "warehouse" / "published.duckdb",
        out,
        scenario / "raw" / "reference",
        date(2025, 10, 1),
    )
    package = json.loads(out.read_text(encoding="utf-8"))
    assert errors(validator, package) == []
    assert result.projects == 6
    a4 = _project(package, CODE["A4"])
    assert a4["type"] == "construction"  # 新建 in its first year
    ytd, rate = a4["metrics"][0]["observations"]
    assert ytd["id"] == "2025-10-ytd-completed"
    assert ytd["value"]["amount"] == 50000000  # 5000万
    assert rate["measure"] == 83.33  # 5000 / 6000


def test_a_month_without_projects_is_a_clear_error(scenario, tmp_path):
    with pytest.raises(MonthNotFound) as caught:
        export_oc4ids(
            scenario / "warehouse" / "published.duckdb",
            tmp_path / "x.json",
            scenario / "raw" / "reference",
            date(2026, 5, 1),
        )
    assert str(caught.value) == (
        "no project for 2026-05 in the published snapshot: it holds 5 months of projects, "
        "from 2025-10 to 2026-10"
    )
    assert not (tmp_path / "x.json").exists()


def test_the_deployments_prefix_publisher_and_uri_are_used(scenario, tmp_path, validator):
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "oc4ids.toml").write_text(
        'prefix = "oc4ids-ab12cd"\npublisher = "吉林市发展和改革委员会"\n'
        'uri = "https://data.example.gov.cn/oc4ids/{month}.json"\n'
        'license = "https://creativecommons.org/licenses/by/4.0/"\n',
        encoding="utf-8",
    )
    out = tmp_path / "package.json"
    result = export_oc4ids(scenario / "warehouse" / "published.duckdb", out, reference)
    package = json.loads(out.read_text(encoding="utf-8"))
    assert errors(validator, package) == []
    assert package["uri"] == "https://data.example.gov.cn/oc4ids/2026-10.json"
    assert package["publisher"] == {"name": "吉林市发展和改革委员会"}
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert all(p["id"].startswith("oc4ids-ab12cd-") for p in package["projects"])
    assert result.placeholder_prefix is None


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ('prefix = "xmk-1"\n', "prefix must be the one the OC4IDS Helpdesk assigned"),
        ('uri = "data/{month}.json"\n', "uri must be an absolute URI"),
        ('uri = "https://x/{year}.json"\n', "uri may use only {month}"),
        ('publisher = ""\n', "publisher must be a non-empty text"),
        ('prefix_ = "oc4ids-ab12cd"\n', "unknown key(s) prefix_"),
    ],
)
def test_an_unusable_config_names_the_key(tmp_path, toml, says):
    (tmp_path / "oc4ids.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(says)):
        read_oc4ids_config(tmp_path)


# ------------------------------------------------------------------ the command


def test_the_command_called_by_its_path_writes_the_package(scenario, tmp_path, validator):
    env = {
        **cron_env(tmp_path),
        "XMK_WAREHOUSE_DIR": str(scenario / "warehouse"),
        "XMK_RAW_DIR": str(scenario / "raw"),
    }
    done = subprocess.run(
        [str(XMK), "export", "oc4ids", "--month", "2026-10", "--out", "out/oc4ids.json"],
        cwd=tmp_path, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    written = tmp_path / "out" / "oc4ids.json"
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == f"OC4IDS project package written: {written} (13 projects, 2026-10)"
    assert "without an OC4IDS code: 建设性质: 续建 (7)" in lines
    assert any("placeholder oc4ids-000000" in line for line in lines)
    package = json.loads(written.read_text(encoding="utf-8"))
    assert errors(validator, package) == []
    assert _project(package, CODE["A4"])["budget"]["amount"]["amount"] == 120000000


def test_the_command_says_when_there_is_nothing_to_export(scenario, tmp_path, capsys):
    missing = ["export", "oc4ids", "--warehouse", str(tmp_path), "--out", "x.json"]
    assert main(missing) == 2
    assert "no published snapshot yet" in capsys.readouterr().err
    no_month = [
        "export", "oc4ids", "--warehouse", str(scenario / "warehouse"),
        "--raw", str(scenario / "raw"), "--month", "2026-05", "--out", str(tmp_path / "x.json"),
    ]  # fmt: skip
    assert main(no_month) == 1
    assert "no project for 2026-05" in capsys.readouterr().err
    assert main([*no_month[:-3], "2026-5x", "--out", "x.json"]) == 2
    assert "--month must look like 2026-10, not 2026-5x" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_the_command_says_when_it_cannot_write(scenario, tmp_path, capsys):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = tmp_path / "a-file" / "x.json"
    args = ["export", "oc4ids", "--warehouse", str(scenario / "warehouse"), "--out", str(out)]
    assert main([*args, "--raw", str(scenario / "raw")]) == 1
    assert f"cannot write {out}" in capsys.readouterr().err
