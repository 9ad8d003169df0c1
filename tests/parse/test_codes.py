"""项目代码: normalisation and the national format."""

import pytest

from dagster_project.parse.codes import is_valid_project_code, normalise_project_code

CODE = "2024-220281-48-01-123456"


def test_clean_code_is_unchanged():
    assert normalise_project_code(CODE) == CODE


def test_full_width_code_becomes_half_width():
    assert normalise_project_code("２０２４－２２０２８１－４８－０１－１２３４５６") == CODE


def test_spaces_and_line_breaks_are_removed():
    assert normalise_project_code(" 2024-220281 -48-01-\n123456 ") == CODE


@pytest.mark.parametrize("dash", ["—", "–", "‐", "―", "_", "、", "−", "——"])
def test_dash_variants_become_a_hyphen(dash):
    assert normalise_project_code(CODE.replace("-", dash)) == CODE


def test_letters_are_upper_cased():
    assert normalise_project_code("2024-220281-48-01-12345a") == "2024-220281-48-01-12345A"


@pytest.mark.parametrize("value", [None, "", "-", "/", "—", "无", "暂无", "待定"])
def test_placeholders_become_null(value):
    assert normalise_project_code(value) is None


def test_malformed_code_is_kept_for_the_check_to_report():
    assert normalise_project_code("申报中") == "申报中"


@pytest.mark.parametrize(
    "code",
    [
        CODE,
        "2017-220100-78-01-000123",
        "1703-220281-04-01-123456",  # older YYMM format
        "1712-220281-04-01-123456",
    ],
)
def test_national_format_is_valid(code):
    assert is_valid_project_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "2024-220281-48-01-12345",  # serial too short
        "2024-220281-48-01-1234567",
        "2024220281480112345600",  # no dashes
        "2024-22028A-48-01-123456",
        "1713-220281-04-01-123456",  # YYMM with month 13
        "2024-220281-4-801-123456",
        "2024-220281-48-01-123456 ",
    ],
)
def test_malformed_code_is_invalid(code):
    assert not is_valid_project_code(code)
