"""二(四) special bonds beyond coverage, on a county the test writes as real workbooks:
蛟河市 sends January to April 2026 with three bond projects.

    B1  applied and issued 10000万 in January, 3% (written "3%"), 10 years ("10年"),
        预期收入 15000万; spent 0, 1000, 2000, 4000万 in January … April
    B2  applied 5000万, not issued, rate and term left empty (the vars: 3 %, 10 years)
    B3  issued 8000万 in January, 3.5 (the header says %), 15 years; nothing spent

Worked out by hand (每年付息、到期还本):
    B1  interest 10000 × 3% = 300 a year; 本息 300 in years 1–9 and 10300 in year 10 (2035),
        13000 over the term; revenue 15000 / 10 = 1500 a year → coverage 5.0 in year 1,
        1500 / 10300 in year 10; over the term 15000 / 13000
    B2  principal the applied 5000: 150 a year, 5150 in year 10
    B3  interest 8000 × 3.5% = 280; 本息 over 15 years 8000 × (1 + 0.035 × 15) = 12200
    支出进度 in April: B1 4000 / 10000 = 40 % (issued three months before: January) → 60 %
        unspent > 50 % → 黄; B3 nothing spent → 红. In March (issued two months before)
        neither is warned.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.dbt.city import A, _county, _person, ongoing_project
from tests.dbt.conftest import Warehouse, one_county_warehouse

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))
B1_SPENT = {JAN: 0, FEB: 1000, MAR: 2000, APR: 4000}


def _bond(name: str, i: int, **extra) -> dict:
    return {
        "project_name": name,
        **_person(i),
        "total_investment_wan": 20000,
        "planned_start": date(2026, 1, 1),
        "actual_start": date(2026, 1, 1),
        "coverage_ratio": 1.2,
        **extra,
    }


def build_bond_county(raw) -> None:
    for month in (JAN, FEB, MAR, APR):
        b1 = _bond(
            "蛟河市专项债项目一",
            301,
            project_code="2025-220281-48-01-000301",
            bond_amount_wan=10000,
            bond_issued_wan=10000,
            expected_revenue_wan=15000,
            cost_wan=13000,
            bond_rate="3%",
            bond_term_years="10年",
            bond_spent_wan=B1_SPENT[month],
        )
        b2 = _bond(
            "蛟河市专项债项目二",
            302,
            bond_amount_wan=5000,
            bond_issued_wan=0,
            expected_revenue_wan=9000,
            cost_wan=6500,
        )
        b3 = _bond(
            "蛟河市专项债项目三",
            303,
            bond_amount_wan=8000,
            bond_issued_wan=8000,
            expected_revenue_wan=14000,
            cost_wan=12200,
            bond_rate=3.5,
            bond_term_years=15,
            bond_spent_wan=0,
        )
        _county(
            raw,
            A,
            month,
            {"under_construction": [ongoing_project()], "special_bonds": [b1, b2, b3]},
        )


@pytest.fixture(scope="module")
def bonds(tmp_path_factory, dbt_manifest) -> Warehouse:
    return one_county_warehouse(tmp_path_factory, "bonds", build_bond_county)


def _schedule(wh: Warehouse, name: str) -> list[tuple]:
    rows = wh.rows(
        """select bond_year, calendar_year, interest_wan, principal_wan, debt_service_wan,
                  revenue_wan, coverage_ratio, cumulative_coverage_ratio
           from marts.fct_special_bond_repayment
           where project_name = ? order by bond_year""",
        name,
    )
    return [tuple(r.values()) for r in rows]


def test_a_ten_year_bond_at_three_percent_pays_interest_yearly_and_the_principal_last(bonds):
    years = _schedule(bonds, "蛟河市专项债项目一")
    assert len(years) == 10
    assert years[0] == (1, 2026, 300, 0, 300, 1500, 5.0, 5.0)
    assert years[8][:6] == (9, 2034, 300, 0, 300, 1500)
    assert years[9][:6] == (10, 2035, 300, 10000, 10300, 1500)
    assert years[9][6] == pytest.approx(1500 / 10300)
    assert years[9][7] == pytest.approx(15000 / 13000)  # the term's coverage
    assert sum(y[4] for y in years) == 13000


def test_empty_terms_take_the_defaults_and_an_unissued_bond_its_applied_amount(bonds):
    row = bonds.one(
        """select bond_principal_wan, bond_rate_used, is_rate_default,
                  bond_term_years_used, is_term_default, first_issued_month,
                  debt_service_wan,
                  (select sum(debt_service_wan) from marts.fct_special_bond_repayment as t
                   where t.project_key = r.project_key) as total
           from marts.fct_special_bond_repayment as r
           where project_name = '蛟河市专项债项目二' and bond_year = 10"""
    )
    assert row == {
        "bond_principal_wan": 5000,
        "bond_rate_used": pytest.approx(0.03),
        "is_rate_default": True,
        "bond_term_years_used": 10,
        "is_term_default": True,
        "first_issued_month": None,
        "debt_service_wan": pytest.approx(5150),
        "total": pytest.approx(5000 + 150 * 10),
    }


def test_a_rate_written_without_percent_under_a_percent_header(bonds):
    row = bonds.one(
        """select bond_rate, bond_term_years, annual_interest_wan, total_debt_service_wan,
                  bond_spend_rate
           from marts.fct_special_bonds
           where project_name = '蛟河市专项债项目三' and period_month = ?""",
        APR,
    )
    assert row == {
        "bond_rate": pytest.approx(0.035),
        "bond_term_years": 15,
        "annual_interest_wan": pytest.approx(280),
        "total_debt_service_wan": pytest.approx(12200),
        "bond_spend_rate": 0.0,
    }


def test_spending_progress_month_by_month(bonds):
    rows = bonds.rows(
        """select period_month, bond_spend_rate, bond_unspent_wan from marts.fct_special_bonds
           where project_name = '蛟河市专项债项目一' order by period_month"""
    )
    assert [(r["period_month"], r["bond_spend_rate"], r["bond_unspent_wan"]) for r in rows] == [
        (JAN, 0.0, 10000),
        (FEB, 0.1, 9000),
        (MAR, 0.2, 8000),
        (APR, 0.4, 6000),
    ]


def test_funds_idle_three_months_after_issuance_are_warned(bonds):
    rows = bonds.rows(
        """select period_month, project_name, level from marts.fct_early_warnings
           where rule = 'bond_funds_idle' order by period_month, project_name"""
    )
    assert [tuple(r.values()) for r in rows] == [
        (APR, "蛟河市专项债项目一", "黄"),
        (APR, "蛟河市专项债项目三", "红"),
    ]
