"""The scenario city (tests/dbt/city.py) through the real nightly job: every expected
number below is worked out by hand from the workbooks, not by the models' SQL.

P = October 2026 (10/12 of the year elapsed), P−12 = October 2025.
A = 蛟河市 220281, B = 桦甸市 220282, C = 舒兰市 220283 (rank group 县(市、区));
Z1 = 高新区 220271, Z2 = 经开区 220272 (rank group 开发区).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.dbt.city import A5_NAME, CODE, Z1, Z2, A, B, C

P = date(2026, 10, 1)
COUNTIES = "县(市、区)"
ZONES = "开发区"


def region_month(wh, region):
    return wh.one(
        "select * from marts.fct_region_monthly where region_code = ? and period_month = ?",
        region,
        P,
    )


# ------------------------------------------------------------------ fct_region_monthly


def test_county_a_indicators_match_the_hand_calculation(wh):
    a = region_month(wh, A)
    # Bureau: 本年累计 40000, 上年同期 32000 → (40000 − 32000) / 32000 = 0.25.
    assert a["fai_growth"] == pytest.approx(0.25)
    assert a["fai_growth_basis"] == "absolutes"
    # 民间投资 16000 / 40000.
    assert a["private_investment_share"] == pytest.approx(0.4)
    # Big (≥ 5000万) 在建 projects in statistics: A1 800 + A4 2400 (A2 is not 入统)
    # = 3200 / 40000 = 0.08.
    assert a["big_project_investment_share"] == pytest.approx(0.08)
    # A1 8000, A2 6000, A4 12000 are ≥ 5000万 (A3 is 3000) → 3; in October 2025 A1 and
    # A4 → 2; growth (3 − 2) / 2 = 0.5.
    assert a["big_project_count"] == 3
    assert a["big_project_count_growth"] == pytest.approx(0.5)
    # Started in 2026 by October: A2 (May) only.
    assert a["new_start_count"] == 1
    # Planned new starts of 2026: A2 (April, started), A6 (August), A8 (September), the
    # 冰雪小镇 project (December) → 4, 1 started. Continuing: A1, A3, A4 (续建, YTD > 0)
    # → 3, 3 resumed. (1 + 3) / (4 + 3) = 4/7.
    assert a["start_resume_rate"] == pytest.approx(4 / 7)
    # 中央预算内 planned starts: A2 (started) and A6 (not) → 1/2.
    assert a["central_budget_start_rate"] == pytest.approx(0.5)
    # 专项债 planned starts: A8, not started → 0/1.
    assert a["special_bond_start_rate"] == pytest.approx(0.0)
    # Σ YTD / Σ plan: (800 + 400 + 300 + 2400) / (1000 + 2000 + 500 + 3000) = 3900/6500.
    assert a["completion_rate"] == pytest.approx(0.6)
    # (0.6 − 10/12) × 100.
    assert a["schedule_gap_pp"] == pytest.approx(-23.3333333, abs=1e-6)


def test_county_b_counts_only_its_resubmission(wh):
    b = region_month(wh, B)
    # 30000 against 30000: no growth.
    assert b["fai_growth"] == pytest.approx(0.0)
    assert b["private_investment_share"] == pytest.approx(0.3)  # 9000 / 30000
    # B1 1500 + B2 900 (B2's 5000万 is on the threshold) = 2400 / 30000. The superseded
    # file's B3 (20000万, YTD 4000) must not count.
    assert b["big_project_investment_share"] == pytest.approx(0.08)
    assert b["big_project_count"] == 2
    assert b["big_project_count_growth"] == pytest.approx(1.0)  # (2 − 1) / 1
    assert b["new_start_count"] == 1  # B2, March
    # B2 planned and started in 2026; B1 continuing and resumed → (1 + 1) / (1 + 1).
    assert b["start_resume_rate"] == pytest.approx(1.0)
    # No planned start funded by 中央预算内 or on the 专项债 list: no rate, not zero.
    assert b["central_budget_start_rate"] is None
    assert b["special_bond_start_rate"] is None
    assert b["completion_rate"] == pytest.approx(0.8)  # (1500 + 900) / (2000 + 1000)


def test_county_c_without_absolutes_or_last_year_list(wh):
    c = region_month(wh, C)
    # The bureau withheld absolutes: its 增速 12.5％ and 占比 35％ are taken as given.
    assert c["fai_growth"] == pytest.approx(0.125)
    assert c["fai_growth_basis"] == "reported_rate"
    assert c["private_investment_share"] == pytest.approx(0.35)
    assert c["fai_ytd_wan"] is None
    assert c["big_project_investment_share"] is None  # no FAI to divide by
    # One big project now, no 在建 list in October 2025: no growth (missing P−12).
    assert c["big_project_count"] == 1
    assert c["big_project_count_growth"] is None
    assert c["completion_rate"] == pytest.approx(0.5)  # 500 / 1000


def test_zones_growth_can_be_negative(wh):
    z1, z2 = region_month(wh, Z1), region_month(wh, Z2)
    assert z1["fai_growth"] == pytest.approx(0.25)  # (50000 − 40000) / 40000
    assert z2["fai_growth"] == pytest.approx(-0.2)  # (20000 − 25000) / 25000
    assert z1["big_project_count_growth"] == pytest.approx(0.0)  # 1 then, 1 now
    assert z2["big_project_count_growth"] == pytest.approx(-0.5)  # 2 then, 1 now
    assert z2["big_project_investment_share"] == pytest.approx(0.1)  # 2000 / 20000


def test_a_region_that_sent_nothing_has_no_values_not_zeros(wh):
    silent = region_month(wh, "220284")  # 磐石市
    assert not silent["has_submission"]
    assert silent["big_project_count"] is None
    assert silent["new_start_count"] is None
    assert silent["fai_growth"] is None


# ------------------------------------------------------------------ rpt_arena_monthly


def arena(wh, indicator, group):
    found = wh.rows(
        """select region_code, rank, note from marts.rpt_arena_monthly
           where period_month = ? and indicator = ? and rank_group = ?""",
        P,
        indicator,
        group,
    )
    return {r["region_code"]: (r["rank"], r["note"]) for r in found}


def test_arena_fai_growth_ranks_counties_and_lists_the_silent_ones_last(wh):
    ranks = arena(wh, "fai_growth", COUNTIES)
    # A 0.25, C 0.125, B 0.0 → 1, 2, 3; the six counties without statistics: NULL.
    assert ranks[A] == (1, None)
    assert ranks[C] == (2, None)
    assert ranks[B] == (3, None)
    silent = {k: v for k, v in ranks.items() if k not in (A, B, C)}
    assert len(silent) == 6
    assert all(rank is None and "统计局本月未提供" in note for rank, note in silent.values())


def test_arena_ties_share_a_rank_competition_style(wh):
    # new starts: A 1, B 1, C 0 → 1, 1, 3.
    ranks = arena(wh, "new_start_count", COUNTIES)
    assert (ranks[A][0], ranks[B][0], ranks[C][0]) == (1, 1, 3)
    assert ranks[A][1] == ranks[B][1] == "并列 (tied)"
    # 开复工率: B 1.0, C 1.0, A 4/7 → 1, 1, 3.
    ranks = arena(wh, "start_resume_rate", COUNTIES)
    assert (ranks[B][0], ranks[C][0], ranks[A][0]) == (1, 1, 3)
    # Zones: Z1 and Z2 each have one big project.
    ranks = arena(wh, "big_project_count", ZONES)
    assert (ranks[Z1][0], ranks[Z2][0]) == (1, 1)


def test_arena_explains_a_rate_without_denominator(wh):
    ranks = arena(wh, "central_budget_start_rate", COUNTIES)
    assert ranks[A] == (1, None)  # 0.5
    assert ranks[B][0] is None and "中央预算内" in ranks[B][1]


# ------------------------------------------------------------------ rpt_assessment_monthly


def test_assessment_rank_sum_and_composite_rank(wh):
    found = wh.rows(
        """select region_code, fai_growth_rank, private_investment_share_rank,
                  big_project_investment_share_rank, big_project_count_growth_rank,
                  rank_sum, composite_rank
           from marts.rpt_assessment_monthly where period_month = ? and rank_group = ?""",
        P,
        COUNTIES,
    )
    got = {r["region_code"]: tuple(list(r.values())[1:]) for r in found}
    # fai_growth: A 0.25 (1), C 0.125 (2), B 0 (3), six without (4).
    # private share: A 0.4 (1), C 0.35 (2), B 0.3 (3), six without (4).
    # big share: A 0.08 and B 0.08 tie (1, 1); C and the six without (3).
    # big count growth: B 1.0 (1), A 0.5 (2); C and the six without (3).
    # rank_sum: A 1+1+1+2 = 5, B 3+3+1+1 = 8, C 2+2+3+3 = 10, the six 4+4+3+3 = 14.
    assert got[A] == (1, 1, 1, 2, 5.0, 1)
    assert got[B] == (3, 3, 1, 1, 8.0, 2)
    assert got[C] == (2, 2, 3, 3, 10.0, 3)
    assert got["220284"] == (4, 4, 3, 3, 14.0, 4)
    assert len(got) == 9


# ------------------------------------------------------------------ fct_early_warnings


def test_warnings_of_october_are_exactly_the_expected_ones(wh):
    found = {
        (r["project_key"], r["rule"], r["level"])
        for r in wh.rows(
            "select project_key, rule, level from marts.fct_early_warnings where period_month = ?",
            P,
        )
    }
    expected = {
        # A2: started May, not 入统 → 5 months → 红; 400/2000 = 0.2, gap −63.3 pp → 红.
        (CODE["A2"], "stats_entry_lag", "红"),
        (CODE["A2"], "progress_lag", "红"),
        # A3: 300/500 = 0.6, gap −23.3 pp → 黄.
        (CODE["A3"], "progress_lag", "黄"),
        # A4: YTD 2400 in July, August, September and October → 红.
        (CODE["A4"], "stalled", "红"),
        # 冰雪小镇: planned December (2 months), 用地/规划/施工许可 missing → 黄.
        (f"{A}:{A5_NAME}", "approvals_behind", "黄"),
        # A6: planned August, not started → 2 months → 黄.
        (CODE["A6"], "start_overdue", "黄"),
        # A8: planned September → 黄; 3000 issued, not started → 红; coverage 5000/4000 =
        # 1.25, stress 4500/4400 ≈ 1.02 < 1.1 → 黄.
        (CODE["A8"], "start_overdue", "黄"),
        (CODE["A8"], "bond_not_started", "红"),
        (CODE["A8"], "bond_coverage", "黄"),
        # C1 500/1000 and Z2a 2000/4000: 0.5, gap −33.3 pp → 红.
        (CODE["C1"], "progress_lag", "红"),
        (CODE["Z2a"], "progress_lag", "红"),
    }
    assert found == expected


def test_stalled_is_yellow_after_three_equal_months(wh):
    # A4's YTD in July, August, September: equal → 黄 in September (not in August: June
    # was not reported, and no rule reaches back before July).
    found = wh.rows(
        "select period_month, level from marts.fct_early_warnings where rule = 'stalled' "
        "and project_key = ? order by period_month",
        CODE["A4"],
    )
    assert [(r["period_month"], r["level"]) for r in found] == [
        (date(2026, 9, 1), "黄"),
        (P, "红"),
    ]


# ------------------------------------------------------------------ rpt_showcase_projects


def test_showcase_excludes_red_warnings_and_orders_by_score(wh):
    found = wh.rows(
        "select showcase_rank, project_key, score from marts.rpt_showcase_projects "
        "where period_month = ? order by showcase_rank",
        P,
    )
    # Candidates (no red warning): Z1a 15000/0.8, B1 9000/0.75, A1 8000/0.8, B2 5000/0.9,
    # A3 3000/0.6. Investment ranks 1, 2, 3, 4, 5; completion ranks Z1a 2, B1 4, A1 2,
    # B2 1, A3 5. Scores: Z1a 3, A1 5, B2 5 (A1 first: larger investment), B1 6, A3 10.
    assert [(r["project_key"], r["score"]) for r in found] == [
        (CODE["Z1a"], 3),
        (CODE["A1"], 5),
        (CODE["B2"], 5),
        (CODE["B1"], 6),
        (CODE["A3"], 10),
    ]


# ------------------------------------------------------------------ project library


def test_a_project_on_two_lists_and_spelt_two_ways_is_one_project(wh):
    # 冰雪小镇 has no code: on the 明年拟开工 list as written, on the 重大谋划 list with a
    # space in its name. One key, both lists in October.
    row = wh.one(
        "select * from marts.fct_project_monthly where project_key = ? and period_month = ?",
        f"{A}:{A5_NAME}",
        P,
    )
    assert row["listed_planned_next_year"] and row["listed_major_planning"]
    project = wh.one("select * from marts.dim_project where project_key = ?", f"{A}:{A5_NAME}")
    assert (project["library_type"], project["lifecycle_stage"]) == ("谋划", "前期审批")
    assert project["is_50m_plus"]


def test_a_code_typed_full_width_last_year_is_the_same_project(wh):
    row = wh.one("select * from marts.dim_project where project_key = ?", CODE["A1"])
    assert (row["first_period_month"], row["last_period_month"]) == (date(2025, 10, 1), P)
    assert (row["library_type"], row["lifecycle_stage"]) == ("在建", "入库纳统")


def test_the_library_holds_every_project_once_and_nothing_superseded(wh):
    keys = {r["project_key"] for r in wh.rows("select project_key from marts.dim_project")}
    # A1–A8 (A5 and A7 by name), B1, B2, C1, Z1a, Z2a, Z2b — not B3 from B's superseded file.
    assert len(keys) == 14
    assert CODE["B3"] not in keys
    b1 = wh.one(
        "select ytd_completed_wan from marts.fct_project_monthly "
        "where project_key = ? and period_month = ?",
        CODE["B1"],
        P,
    )
    assert b1["ytd_completed_wan"] == 1500  # the re-submission's figure, not 1000


def test_a_project_on_the_unstated_and_under_construction_lists(wh):
    row = wh.one(
        "select * from marts.fct_project_monthly where project_key = ? and period_month = ?",
        CODE["A2"],
        P,
    )
    assert row["listed_under_construction"] and row["listed_unstated"]
    assert (row["is_started"], row["in_stats"]) == (True, False)
    assert row["completion_rate"] == pytest.approx(0.2)


def test_one_code_under_two_names_is_reported_not_hidden(wh):
    conflicts = wh.rows(
        "select conflict_type, project_names from intermediate.int_project_identity_conflicts "
        "where project_code = ?",
        CODE["Z2a"],
    )
    assert conflicts == [
        {
            "conflict_type": "one_code_several_names",
            "project_names": ["经开区物流园", "经开区物流园一期"],
        }
    ]


def test_lifecycle_funnel_of_county_a(wh):
    found = wh.rows(
        "select lifecycle_stage, project_count from marts.fct_lifecycle_funnel "
        "where region_code = ? and period_month = ? order by stage_order",
        A,
        P,
    )
    # 新能源产业园 (谋划) → 招商落地; 冰雪小镇, A6 (拟开工), A8 (专项债, not started) →
    # 前期审批; A2 (not 入统) → 开工建设; A1, A3, A4 → 入库纳统.
    assert [(r["lifecycle_stage"], r["project_count"]) for r in found] == [
        ("招商落地", 1),
        ("前期审批", 3),
        ("开工建设", 1),
        ("入库纳统", 3),
        ("竣工验收", 0),
        ("投产达效", 0),
        ("待核实", 0),  # beside the funnel: none of A's projects left the list unexplained
    ]


def test_preparation_of_a_planned_start(wh):
    row = wh.one(
        "select * from marts.fct_preparation_monthly where project_key = ? and period_month = ?",
        f"{A}:{A5_NAME}",
        P,
    )
    assert (row["approvals_done"], row["approvals_missing"]) == (2, 3)
    assert row["missing_approvals"] == "用地、规划、施工许可"
    assert row["months_to_planned_start"] == 2  # October → December
    assert not row["is_ready_to_start"]


def test_special_bond_coverage_and_stress(wh):
    row = wh.one(
        "select * from marts.fct_special_bonds where project_key = ? and period_month = ?",
        CODE["A8"],
        P,
    )
    assert row["coverage_ratio"] == pytest.approx(1.25)  # 5000 / 4000
    assert row["stress_coverage_ratio"] == pytest.approx(4500 / 4400)  # 5000×0.9 / 4000×1.1
    assert row["is_issued_not_started"]


# ------------------------------------------------------------------ issues and weeks


def test_issue_ledger_is_aged_at_the_end_of_october(wh):
    found = {
        r["project_name"]: r
        for r in wh.rows("select * from marts.fct_issue_ledger where period_month = ?", P)
    }
    land = found["A2项目"]
    # Raised 1 September, deadline 30 September, open on 31 October: 60 days, 31 overdue,
    # escalated to 市自然资源局's 分管副市长 (demo reference: 刘振国).
    assert (land["days_open"], land["days_overdue"]) == (60, 31)
    assert land["is_escalated"] and land["escalate_to"] == "刘振国"
    funds = found["A1项目"]
    # Raised 20 October, no deadline: 11 days, not yet escalated.
    assert (funds["days_open"], funds["is_escalated"], funds["escalate_to"]) == (11, False, None)


def test_weekly_unstated_return(wh):
    row = wh.one("select * from marts.fct_unstated_weekly where project_key = ?", CODE["A2"])
    assert row["period_week"] == date(2026, 10, 19)  # 2026-W43
    # 1 May to Sunday 25 October: 177 days → 25 whole weeks.
    assert row["weeks_since_start"] == 25
    assert not row["is_entered"] and row["is_past_expected_entry"]  # expected July
