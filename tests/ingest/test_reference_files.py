"""The deployment's reference files are read as strictly as a submission: GBK as Excel on
a Chinese Windows saves them, a renamed header refused at once with the file named, an
e-mail address that is not one address refused with its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.ingest.load import ingest
from dagster_project.ingest.reference import (
    ReferenceFileError,
    department_addresses,
    load_contacts,
    load_regions,
)
from tests.conftest import run_nightly_quietly
from tests.workbooks import write_official

REGIONS = """region_code,region_name,aliases,region_kind,rank_group,parent_code,contact_email
220281,蛟河市,,县级市,县(市、区),220200,xmzx@jiaohe.example.gov.cn
220282,桦甸市,,县级市,县(市、区),220200,
"""


def _reference(raw: Path, text: str, encoding: str = "utf-8", name: str = "regions.csv") -> Path:
    path = raw / "reference" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_a_regions_file_saved_as_gbk_is_read(tmp_path):
    _reference(tmp_path, REGIONS, "gbk")
    rows, _version = load_regions(tmp_path)
    assert [(r["region_code"], r["region_name"], r["rank_group"]) for r in rows] == [
        ("220281", "蛟河市", "县(市、区)"),
        ("220282", "桦甸市", "县(市、区)"),
    ]


def test_a_renamed_header_is_refused_naming_the_file_and_the_column(tmp_path):
    path = _reference(tmp_path, REGIONS.replace("region_name", "名称", 1))
    with pytest.raises(ReferenceFileError) as refused:
        load_regions(tmp_path)
    assert str(refused.value).startswith(f"{path}: missing column(s) region_name; the header is")


@pytest.mark.parametrize(
    "address",
    ["a@x.example.gov.cn\r\nBcc: attacker@evil.example", "two@x.example.cn, three@x.example.cn"],
)
def test_an_address_that_is_not_one_address_refuses_the_row(tmp_path, address):
    text = REGIONS.replace("xmzx@jiaohe.example.gov.cn", f'"{address}"')
    path = _reference(tmp_path, text)
    with pytest.raises(ReferenceFileError) as refused:
        load_regions(tmp_path)
    assert str(refused.value).startswith(f"{path}: row 2, column contact_email:")


def test_a_region_code_twice_is_refused(tmp_path):
    _reference(tmp_path, REGIONS + "220281,蛟河,,县级市,县(市、区),220200,\n")
    with pytest.raises(
        ReferenceFileError, match="row 4, column region_code: 220281 is also on row 2"
    ):
        load_regions(tmp_path)


def test_ingestion_stops_at_once_on_a_bad_reference_and_loads_nothing(tmp_path):
    raw = tmp_path / "raw"
    _reference(raw, REGIONS.replace("rank_group", "排名组", 1))
    write_official(
        raw / "2026-10" / "220281_蛟河市.xlsx", "蛟河市", None, {"under_construction": []}
    )
    with pytest.raises(ReferenceFileError, match="missing column"):
        ingest(raw, tmp_path / "warehouse.duckdb", jobs=1)


def test_the_nightly_run_names_the_bad_file_and_publishes_nothing(tmp_path, capsys, dbt_manifest):
    raw = tmp_path / "raw"
    path = _reference(raw, REGIONS.replace("rank_group", "排名组", 1))
    write_official(
        raw / "2026-10" / "220281_蛟河市.xlsx", "蛟河市", None, {"under_construction": []}
    )
    code = run_nightly_quietly(raw, tmp_path / "warehouse", tmp_path / "out")
    out = capsys.readouterr().out
    assert code == 1
    assert f"step failed: ingest_raw_files: {path}: missing column(s) rank_group" in out
    assert "publication gate not reached" in out and "publication gate open" not in out
    # Failed at once: no retry was scheduled.
    (log,) = (tmp_path / "out" / "logs").glob("xmk-run-*.log")
    assert "STEP_UP_FOR_RETRY" not in log.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- contacts


def _contacts(raw: Path, text: str, encoding: str = "utf-8") -> Path:
    return _reference(raw, text, encoding, "contacts.csv")


def test_the_centres_contacts_are_read_from_the_deployments_file(tmp_path):
    _contacts(
        tmp_path, "name,phone,email\n赵敏,0432-62019999,\n钱伟,13904321234,q@fgw.example\n", "gbk"
    )
    assert load_contacts(tmp_path) == [
        {"name": "赵敏", "phone": "0432-62019999", "email": ""},
        {"name": "钱伟", "phone": "13904321234", "email": "q@fgw.example"},
    ]


def test_without_a_contacts_file_the_demo_citys_stand_in(tmp_path):
    assert [c["name"] for c in load_contacts(tmp_path)] == ["李明", "王芳"]


@pytest.mark.parametrize(
    ("row", "column"),
    [("赵敏,,", "phone"), ("赵敏,待定,", "phone"), (",0432-62019999,", "name"),
     ("赵敏,0432-62019999,zhao at fgw", "email")],
)  # fmt: skip
def test_a_contact_without_a_name_a_number_or_a_real_address_is_refused(tmp_path, row, column):
    path = _contacts(tmp_path, f"name,phone,email\n{row}\n")
    with pytest.raises(ReferenceFileError) as refused:
        load_contacts(tmp_path)
    assert str(refused.value).startswith(f"{path}: row 2, column {column}")


def test_department_addresses_are_optional_and_may_be_several(tmp_path):
    """An older department_leaders.csv without the email column still loads; a cell may
    hold several addresses; a department without one is left out."""
    reference = tmp_path / "reference"
    reference.mkdir()
    leaders = reference / "department_leaders.csv"
    leaders.write_text("department,leader\n市财政局,陈立群\n", encoding="utf-8")
    assert department_addresses(tmp_path) == {}
    leaders.write_text(
        "department,leader,email\n市财政局,陈立群,a@x.example；b@x.example\n市水利局,孙海涛,\n",
        encoding="utf-8",
    )
    assert department_addresses(tmp_path) == {"市财政局": ["a@x.example", "b@x.example"]}


def test_a_department_address_that_is_no_address_is_refused_with_its_place(tmp_path):
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "department_leaders.csv").write_text(
        "department,leader,email\n市财政局,陈立群,a@x.example\n市水利局,孙海涛,水利局邮箱\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceFileError, match=r"row 3, column email: '水利局邮箱' is not an"):
        department_addresses(tmp_path)
