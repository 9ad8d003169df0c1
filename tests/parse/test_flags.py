"""Flags, 前期手续, 资金来源, 建设性质, 项目级别, 落地状态, people and phones."""

import re
from datetime import date, datetime

import pytest

from dagster_project.parse.errors import CellError
from dagster_project.parse.flags import (
    is_valid_phone,
    parse_approval,
    parse_construction_type,
    parse_flag,
    parse_funding_sources,
    parse_landing_status,
    parse_library_level,
    split_people,
    split_phones,
)

PLACEHOLDERS = ["", "-", "--", "/", "—", "——", "无", "暂无", "待定", "空", "N/A", None]


@pytest.mark.parametrize(
    "value",
    ["是", "√", "✓", "☑", "Y", "y", "yes", "YES", "已入统", "已纳统", "入统", "有", "1", 1, True],
)
def test_yes_spellings_are_true(value):
    assert parse_flag(value) is True


@pytest.mark.parametrize(
    "value", ["否", "×", "✗", "✘", "N", "n", "no", "未入统", "未纳统", "0", 0, 0.0, False]
)
def test_no_spellings_are_false(value):
    assert parse_flag(value) is False


def test_flag_with_spaces_is_read():
    assert parse_flag(" 是 ") is True


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_become_null(value):
    assert parse_flag(value) is None
    assert parse_approval(value) == (None, None)
    assert parse_funding_sources(value) is None
    assert parse_construction_type(value) is None
    assert parse_library_level(value) is None
    assert split_people(value) == []
    assert split_phones(value) == []


@pytest.mark.parametrize("value", ["可能", "2", 2])
def test_unreadable_flag_raises_with_original_text(value):
    with pytest.raises(CellError) as error:
        parse_flag(value)
    assert str(error.value) == f"无法识别的“是/否”值“{value}”，请填写 是 或 否"


@pytest.mark.parametrize("text", ["已办", "已办理", "已批复", "已取得", "完成"])
def test_done_approval_spellings_are_done(text):
    assert parse_approval(text) == ("已办", None)


@pytest.mark.parametrize("text", ["在办", "办理中", "正在办理"])
def test_in_progress_approval_spellings_are_in_progress(text):
    assert parse_approval(text) == ("在办", None)


@pytest.mark.parametrize("text", ["未办", "未办理", "未启动"])
def test_not_started_approval_spellings_are_not_done(text):
    assert parse_approval(text) == ("未办", None)


@pytest.mark.parametrize("value", ["2024.3", "2024年3月", datetime(2024, 3, 15), 2024.3])
def test_approval_date_alone_means_done_that_month(value):
    assert parse_approval(value) == ("已办", date(2024, 3, 1))


@pytest.mark.parametrize(
    "text", ["已办(2024.3)", "已办（2024.3）", "已办 2024年3月", "已批复2024-03-15"]
)
def test_approval_with_date_gives_state_and_month(text):
    assert parse_approval(text) == ("已办", date(2024, 3, 1))


def test_approval_document_number_is_not_a_date():
    assert parse_approval("已批复（吉发改审批〔2024〕12号）") == ("已办", None)


def test_approval_not_needed_counts_as_done():
    assert parse_approval("不涉及") == ("已办", None)


def test_approval_with_impossible_date_raises():
    with pytest.raises(CellError, match=re.escape("已办(2024.13)")):
        parse_approval("已办(2024.13)")


@pytest.mark.parametrize("value", ["正在协调", "明年", True])
def test_unreadable_approval_raises(value):
    with pytest.raises(CellError, match="请填写 已办、在办 或 未办"):
        parse_approval(value)


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        ("中央预算内投资", ["中央预算内"]),
        ("中央预算内资金", ["中央预算内"]),
        ("中央预算", ["中央预算内"]),
        ("专项债券", ["专项债"]),
        ("地方政府专项债", ["专项债"]),
        ("ppp", ["PPP"]),
        ("政府和社会资本合作", ["PPP"]),
        ("企业自筹", ["自筹"]),
        ("自有资金", ["自筹"]),
        ("银行贷款", ["贷款"]),
        ("融资", ["贷款"]),
        ("财政资金", ["其他"]),
    ],
)
def test_funding_source_synonyms_are_mapped(text, sources):
    assert parse_funding_sources(text) == sources


@pytest.mark.parametrize(
    "text",
    [
        "专项债、中央预算内、自筹",
        "专项债,中央预算内,自筹",
        "专项债，中央预算内；自筹",
        "专项债/中央预算内/自筹",
        "专项债 中央预算内 自筹",
        "专项债+中央预算内+自筹",
        "专项债及中央预算内、自筹",
        "专项债\n中央预算内\n自筹",
    ],
)
def test_funding_sources_are_split_and_sorted_in_contract_order(text):
    assert parse_funding_sources(text) == ["中央预算内", "专项债", "自筹"]


def test_funding_sources_are_deduplicated():
    assert parse_funding_sources("专项债券、地方政府专项债、银行贷款、贷款") == ["专项债", "贷款"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("新建", "新建"),
        ("新开工", "新建"),
        ("续建", "续建"),
        ("续建项目", "续建"),
        ("扩建", "扩建"),
        ("改扩建", "扩建"),
        ("改建", "改建"),
        (" 新建 ", "新建"),
    ],
)
def test_construction_type_is_read(text, kind):
    assert parse_construction_type(text) == kind


def test_unreadable_construction_type_raises():
    with pytest.raises(CellError, match=r"“迁建”.*新建、续建、扩建 或 改建"):
        parse_construction_type("迁建")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("省级", "省级"),
        ("省重点", "省级"),
        ("省级重点", "省级"),
        ("省", "省级"),
        ("市级", "市级"),
        ("市重点", "市级"),
        ("县级", "县级"),
        ("县重点", "县级"),
        ("区级", "县级"),
        ("省重点项目", "省级"),
    ],
)
def test_library_level_is_read(text, level):
    assert parse_library_level(text) == level


def test_unreadable_library_level_raises():
    with pytest.raises(CellError, match="“国家级”"):
        parse_library_level("国家级")


@pytest.mark.parametrize(
    "text",
    ["张三、李四", "张三,李四", "张三，李四", "张三；李四", "张三/李四", "张三 李四", "张三\n李四"],
)
def test_several_people_in_one_cell_are_split(text):
    assert split_people(text) == ["张三", "李四"]


def test_one_person_gives_one_name():
    assert split_people(" 王五 ") == ["王五"]


def test_several_phones_in_one_cell_are_split():
    assert split_phones("13912345678、0432-6221234\n13812345678") == [
        "13912345678",
        "0432-6221234",
        "13812345678",
    ]


def test_phone_in_a_number_cell_has_no_decimal_point():
    assert split_phones(13912345678.0) == ["13912345678"]


def test_landline_with_space_after_area_code_is_one_number():
    assert split_phones("0432 6221234") == ["0432-6221234"]


def test_two_mobiles_typed_without_separator_are_split():
    assert split_phones("1391234567813812345678") == ["13912345678", "13812345678"]


def test_full_width_phone_is_half_width():
    assert split_phones("１３９１２３４５６７８") == ["13912345678"]


@pytest.mark.parametrize(
    "phone",
    [
        "13912345678",
        "19912345678",
        "+8613912345678",
        "0432-6221234",
        "04326221234",
        "010-62345678",
        "(0432)6221234",
        "0432-6221234转801",
        "0432-6221234-801",
    ],
)
def test_valid_phone_numbers(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize(
    "phone",
    ["12912345678", "1391234567", "139123456789", "6221234", "0432-0221234", "电话", ""],
)
def test_invalid_phone_numbers(phone):
    assert not is_valid_phone(phone)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("已签约", "已签约"),
        ("签约", "已签约"),
        ("签约未落地", "已签约"),  # the negated step does not count
        ("已签订协议，尚未注册", "已签约"),
        ("已注册公司", "已注册"),
        ("已供地", "已落地"),
        ("已落地未开工", "已落地"),
        ("开工建设", "已开工"),
        ("已开工", "已开工"),
        (" 已 开 工 ", "已开工"),
    ],
)
def test_landing_status_spellings(text, status):
    assert parse_landing_status(text) == status


def test_landing_status_placeholder_and_unknown():
    assert parse_landing_status("") is None
    assert parse_landing_status(None) is None
    with pytest.raises(CellError, match="无法识别的落地状态“洽谈中”"):
        parse_landing_status("洽谈中")
