"""The demo's reference data: the seeds shipped with the project are the demo city."""

from __future__ import annotations

import csv
import io

from dagster_project.demo import city
from dagster_project.demo.issues import DEPARTMENTS
from dagster_project.settings import DBT_PROJECT_DIR


def test_seed_files_are_the_demo_city():
    for name, text in city.reference_files("city").items():
        assert (DBT_PROJECT_DIR / "seeds" / name).read_text(encoding="utf-8") == text


def test_seed_regions_have_the_contract_columns():
    text = (DBT_PROJECT_DIR / "seeds" / "regions.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == city.REGION_COLUMNS


def test_city_has_nine_counties_and_four_zones_ranked_apart():
    regions = city.regions("city")
    groups = [r["rank_group"] for r in regions]
    assert groups.count(city.COUNTY_GROUP) == 9
    assert groups.count(city.ZONE_GROUP) == 4
    assert {r["parent_code"] for r in regions} == {"220200"}
    beidahu = next(r for r in regions if r["region_code"] == "220274")
    assert beidahu["region_kind"] == "新区"
    assert beidahu["aliases"].split("|") == ["新区", "市新区办"]


def test_exactly_one_submitter_has_no_mailbox():
    regions = city.regions("city")
    assert [r["region_name"] for r in regions if not r["contact_email"]] == ["吉林中国新加坡食品区"]
    assert all(
        r["contact_email"].endswith(".example.gov.cn") for r in regions if r["contact_email"]
    )


def test_province_has_about_180_submitters_under_nine_prefectures():
    regions = city.regions("province")
    assert 170 <= len(regions) <= 190
    assert len({r["region_code"] for r in regions}) == len(regions)
    assert len({r["region_name"] for r in regions}) == len(regions)
    assert len({r["parent_code"] for r in regions}) == 9
    assert all(r["region_code"].startswith("22") and len(r["region_code"]) == 6 for r in regions)
    for parent in {r["parent_code"] for r in regions}:
        zones = [r for r in regions if r["parent_code"] == parent and r["rank_group"] == "开发区"]
        assert 1 <= len(zones) <= 4
    # The demo city is part of the province, unchanged.
    assert [r for r in regions if r["parent_code"] == "220200"] == city.regions("city")


def test_every_issue_department_has_a_vice_mayor():
    leaders = {row["department"]: row["leader"] for row in city.department_leaders()}
    assert len(leaders) >= 12
    assert {d for ds in DEPARTMENTS.values() for d in ds} <= set(leaders)
