"""江源市, a city the demo knows nothing of (tests/cities/unseen_city.py), run night after
night the way an operator's cron runs it: `.venv/bin/xmk run` called by its path, in a
minimal environment (PATH=/usr/bin:/bin and nothing else), in the deployment's folder.

September comes in clean. October's first night has the problems of a real city — a
county that sent nothing, one whose file was a PDF, a row with an unreadable date, a
figure borrowed from another list, a project gone without a word, a bond whose 覆盖倍数
disagrees with its own figures, a flat YTD from the bureau. The second night brings the
corrections and an exemption; the third brings nothing. Then the warehouse is rebuilt
from raw/ alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.cities import unseen_city as city
from tests.conftest import cron_env

XMK = Path(sys.executable).parent / "xmk"
OCTOBER = city.OCTOBER
BULLETIN = Path("out/bulletin/2026-10")
REPORTS = Path("out/reports/2026-10")


def xmk(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(XMK), *args],
        cwd=root,
        env=cron_env(root),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def _bytes(paths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


@pytest.fixture(scope="module")
def nights(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("jiangyuan")
    raw = root / "raw"
    runs = {}
    city.september(raw)
    runs["september"] = xmk(root, "run")

    city.october_first(raw)
    runs["october_first"] = xmk(root, "run")
    # What the first October night left, to look at after the later nights.
    shutil.copy2(root / "warehouse" / "warehouse.duckdb", root / "after_first.duckdb")
    shutil.copytree(root / REPORTS, root / "reports_after_first")

    city.october_fixes(raw)
    runs["october_fixes"] = xmk(root, "run")
    published = [*sorted((root / BULLETIN).glob("*.*")), root / "warehouse" / "published.duckdb"]
    before_quiet_night = _bytes(published)

    runs["quiet"] = xmk(root, "run")
    after_quiet_night = _bytes(published)

    runs["rebuild"] = xmk(root, "run", "--warehouse", "rebuilt", "--out", "rebuilt_out")
    return {
        "root": root,
        "runs": runs,
        "published": (before_quiet_night, after_quiet_night),
    }


def query(db: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def first(nights) -> Path:
    return nights["root"] / "after_first.duckdb"


@pytest.fixture(scope="module")
def final(nights) -> Path:
    return nights["root"] / "warehouse" / "warehouse.duckdb"


def report_rows(report_dir: Path) -> list[dict]:
    """The 明细 sheet of a county's data-quality report, as dicts by header."""
    (path,) = report_dir.glob("数据质量报告_*.xlsx")
    ws = openpyxl.load_workbook(path, read_only=True)["明细"]
    header, *rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


# --------------------------------------------------------------------------- 1. by path


def test_xmk_called_by_its_path_in_a_minimal_environment_runs_every_night(nights):
    codes = {night: run.returncode for night, run in nights["runs"].items()}
    # 3: October's first night is held at the gate; every other night publishes.
    expected = {"september": 0, "october_first": 3, "october_fixes": 0, "quiet": 0, "rebuild": 0}
    assert codes == expected, {n: r.stdout[-2000:] for n, r in nights["runs"].items()}
    for run in nights["runs"].values():
        assert "not found" not in run.stdout + run.stderr
        assert "Traceback" not in run.stdout


def test_the_terminal_shows_each_step_as_it_starts_and_ends(nights):
    """cron's mail of a run: a timestamped line as each step starts and ends (with its
    time), the files as ingestion reads them, plain lines without colour codes."""
    out = nights["runs"]["september"].stdout
    step = re.compile(r"^\d\d:\d\d:\d\d ([▶✓✗]) (\S+)(?: (\d+\.\d) s)?", re.M)
    seen = [(mark, name) for mark, name, _seconds in step.findall(out)]
    for name in ("ingest_raw_files", "quality__dq_failures", "dbt_warehouse", "publish__bulletin"):
        assert ("▶", name) in seen and ("✓", name) in seen, out[:3000]
        assert seen.index(("▶", name)) < seen.index(("✓", name))
    assert re.search(r"^\d\d:\d\d:\d\d   reading files \d+/\d+, [\d,]+ rows$", out, re.M)
    assert "\x1b" not in out  # not a terminal: no colour codes, no rewritten lines
    # A month held back is a failed check, said as it is found; the run itself succeeds.
    held = nights["runs"]["october_first"].stdout
    assert re.search(
        r"^\d\d:\d\d:\d\d   check failed \(error\): publish/gate month_complete_without_errors$",
        held,
        re.M,
    ), held[:3000]
    assert "✗" not in held
    log = Path(re.search(r"log: (\S+\.log)", out).group(1))
    assert "\x1b[" not in log.read_text(encoding="utf-8", errors="replace")


def test_the_nights_are_recorded_in_the_dagster_instance(nights):
    """The runs of `xmk run` are in the instance of DAGSTER_HOME, the one the UI shows."""
    home = nights["root"] / "dagster_home"
    script = (
        "import dagster as dg; i = dg.DagsterInstance.get(); "
        "print(sorted(r.job_name + ':' + r.status.value for r in i.get_runs()))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert listed.strip() == str(["nightly:SUCCESS"] * 5)  # a held month is no failed run


# --------------------------------------------------------------------------- 2. contract


def test_a_ledger_without_a_responsible_person_column_does_not_block(nights, final):
    ledger = query(
        final,
        """select rule, severity from marts.fct_dq_failures
           where region_code = ? and period_month = ? and list_key = 'issue_ledger'""",
        city.QINGSHAN,
        OCTOBER,
    )
    assert ledger == []
    assert (nights["root"] / BULLETIN / "投资攻坚擂台通报_2026年10月.xlsx").is_file()
    issues = query(
        final,
        "select count(*) from marts.fct_issue_ledger where region_code = ? and period_month = ?",
        city.QINGSHAN,
        OCTOBER,
    )
    assert issues == [(2,)]


# --------------------------------------------------------------------------- 3. complete


def test_a_month_missing_counties_is_blocked_and_names_them(nights, first):
    out = nights["runs"]["october_first"].stdout
    assert "publication BLOCKED for 2026年10月" in out
    assert "柳河县（本月未报送）" in out and "白河县（本月未报送）" in out
    assert "江北区 1 项错误" in out
    incomplete = query(
        first,
        """select region_code, missing_note from marts.fct_submission_completeness
           where period_month = ? and not is_complete order by 1""",
        OCTOBER,
    )
    assert incomplete == [(city.LIUHE, "本月未报送"), (city.BAIHE, "本月未报送")]


def test_a_county_that_sent_nothing_is_told_so_in_its_report(nights):
    rows = report_rows(nights["root"] / "reports_after_first" / f"{city.BAIHE}_白河县")
    assert [(r["级别"], r["问题"], r["规则编号"]) for r in rows] == [
        ("错误", "未报送或缺少必报清单", "missing_submission")
    ]
    assert rows[0]["修改建议"].startswith("本月未收到贵单位的月度报表")


def test_an_exemption_opens_the_month(nights, final):
    baihe = query(
        final,
        """select is_complete, is_exempted, exemption_reason, missing_note
           from marts.fct_submission_completeness where region_code = ? and period_month = ?""",
        city.BAIHE,
        OCTOBER,
    )
    assert baihe == [(True, True, "县发改局机构调整，经市项目中心同意本月免报", None)]
    assert "publication gate open for 2026年10月" in nights["runs"]["october_fixes"].stdout
    arena = query(
        final,
        """select rank, note from marts.rpt_arena_monthly
           where period_month = ? and region_code = ? and indicator = 'big_project_count'""",
        OCTOBER,
        city.BAIHE,
    )
    assert arena[0][0] is None  # exempted, not ranked


def test_a_file_outside_a_month_folder_is_refused_without_breaking_the_marts(first, final):
    # The first night still built and tested every mart (it ended at the gate, exit 3).
    outside = query(
        first,
        """select source_file, region_code, severity from marts.fct_dq_failures
           where period_month is null""",
    )
    assert outside == [(f"{city.QINGSHAN}_青山县.xlsx", city.QINGSHAN, "warn")]
    # Removed from raw/, it is forgotten.
    assert query(
        final, "select count(*) from marts.fct_dq_failures where period_month is null"
    ) == [(0,)]
    assert query(
        final, "select count(*) from raw.file_manifest where original_path = '229921_青山县.xlsx'"
    ) == [(0,)]


# --------------------------------------------------------------------------- 4. cells


def test_a_row_with_one_bad_date_cell_loads_and_both_its_problems_are_reported(first):
    row = query(
        first,
        """select t.total_investment_wan, t.ytd_completed_wan, t.annual_plan_wan,
                  t.planned_completion, t.unreadable_fields
           from raw.under_construction t join raw.file_manifest f using (submission_id)
           where f.file_name = '229902_江北区.xlsx' and t.period_month = ?
             and t.project_name = '江北区滨江项目4'""",
        OCTOBER,
    )
    assert row == [(5000.0, 600.0, None, None, ["planned_completion"])]
    failures = query(
        first,
        """select f.rule, f.severity, f.value from marts.fct_dq_failures f
           join marts.dim_project p using (project_key)
           where p.project_name = '江北区滨江项目4' and f.period_month = ? order by 1""",
        OCTOBER,
    )
    assert failures == [
        ("required_annual_plan_wan", "error", None),
        ("unreadable_cell", "warn", "2023-2025"),
    ]
    investment = query(
        first,
        """select total_investment_wan from marts.fct_project_monthly
           where project_key = ? and period_month = ?""",
        city.code(city.JIANGBEI, 4),
        OCTOBER,
    )
    assert investment == [(5000.0,)]


# --------------------------------------------------------------------------- 5. 竣工


def _stage(db: Path, project_key: str) -> tuple:
    return query(
        db,
        """select lifecycle_stage, stage_note from intermediate.int_project_stages_monthly
           where project_key = ? and period_month = ?""",
        project_key,
        OCTOBER,
    )[0]


def test_projects_of_a_county_whose_file_was_rejected_are_not_counted_complete(first, final):
    for i in (1, 2):
        stage, note = _stage(first, city.code(city.LIUHE, i))
        assert stage == "待核实" and "未报送在建项目清单" in note
    # Once the real workbook came, they are where their rows put them (started, not 入统).
    for i in (1, 2):
        assert _stage(final, city.code(city.LIUHE, i)) == ("开工建设", None)


def test_a_project_gone_without_a_word_is_to_be_verified_and_one_that_said_so_is_complete(first):
    gone = _stage(first, f"{city.QINGSHAN}:青山县农产品加工园")
    assert gone == ("待核实", "已不在在建项目清单上，未填报实际竣工时间或竣工、退出说明")
    assert _stage(first, city.code(city.JIANGBEI, 2)) == ("竣工验收", None)
    funnel = query(
        first,
        """select lifecycle_stage, project_count from marts.fct_lifecycle_funnel
           where region_code = ? and period_month = ? and project_count > 0 order by 1""",
        city.LIUHE,
        OCTOBER,
    )
    assert funnel == [("待核实", 2)]


# --------------------------------------------------------------------------- 6. borrowed


def test_a_value_borrowed_from_another_list_says_where_it_came_from(nights, final):
    row = query(
        final,
        """select actual_start_month, actual_start_source_list, primary_list
           from marts.fct_project_monthly where project_key = ? and period_month = ?""",
        city.code(city.JIANGBEI, 3),
        OCTOBER,
    )
    assert row == [(date(2026, 8, 1), "unstated", "under_construction")]
    rows = report_rows(nights["root"] / REPORTS / f"{city.JIANGBEI}_江北区")
    (borrowed,) = [r for r in rows if r["规则编号"] == "value_from_other_list"]
    assert borrowed["问题"] == "数值取自其他清单"
    assert (borrowed["级别"], borrowed["填报值"], borrowed["工作表"]) == (
        "警告",
        "2026年8月",
        "在建项目",
    )
    assert "项目库采用了同月已开工未入统清单填报的2026年8月" in borrowed["修改建议"]


def test_every_failure_reported_carries_its_rules_chinese_name(first, final):
    from dagster_project.quality.rules import rule_name

    for db in (first, final):
        named = query(db, "select distinct rule, rule_name_zh from marts.fct_dq_failures")
        assert named and all(name == rule_name(rule) for rule, name in named)


def test_the_county_report_says_which_of_its_files_counts(nights):
    rows = report_rows(nights["root"] / REPORTS / f"{city.JIANGBEI}_江北区")
    (replaced,) = [r for r in rows if r["问题"] == "文件未被采用（已有更新的报送）"]
    assert replaced["规则编号"] == "superseded_submission"
    assert (replaced["文件"], replaced["级别"]) == ("2026-10/229902_江北区.xlsx", "警告")
    assert replaced["修改建议"].startswith(
        "本期已收到同一单位的另一份报送文件“229902_江北区_更正.xlsx”"
    )
    assert "in force for 2026-10 229902: 2026-10/229902_江北区_更正.xlsx" in (
        nights["runs"]["october_fixes"].stdout
    )


# --------------------------------------------------------------------------- 7. history


def test_a_rebuild_from_raw_gives_the_same_history_as_night_after_night(nights, final):
    every_version = "select * from marts.dim_project_history order by version_key"
    rebuilt = nights["root"] / "rebuilt" / "warehouse.duckdb"
    incremental = query(final, every_version)
    assert incremental and query(rebuilt, every_version) == incremental
    # Two months loaded in one night (the rebuild) still give a version each.
    versions = query(
        rebuilt,
        "select valid_from from marts.dim_project_history where project_key = ? order by 1",
        city.code(city.JIANGBEI, 2),
    )
    assert versions == [(date(2026, 9, 1),)]


# --------------------------------------------------------------------------- 8. bureau


def test_the_bureaus_file_is_checked_and_told_to_the_centre_not_the_county(nights, final):
    found = query(
        final,
        """select rule, region_code, severity from marts.fct_dq_failures
           where rule like 'statistics_%' and period_month = ? order by 1, 2""",
        OCTOBER,
    )
    assert found == [
        ("statistics_growth_mismatch", city.QINGSHAN, "warn"),
        ("statistics_ytd_not_growing", city.JIANGBEI, "warn"),
    ]
    rows = report_rows(nights["root"] / REPORTS / f"{city.JIANGBEI}_江北区")
    assert not [r for r in rows if "统计局" in (r["文件"] or "")]


# --------------------------------------------------------------------------- 9. 覆盖倍数


def test_an_inconsistent_coverage_ratio_warns_and_the_lower_ratio_makes_it_red(final):
    bond = query(
        final,
        """select reported_coverage_ratio, computed_coverage_ratio, coverage_ratio,
                  is_coverage_inconsistent
           from marts.fct_special_bonds where region_code = ? and period_month = ?""",
        city.ZONE,
        OCTOBER,
    )
    assert bond == [(1.05, 2.69, 1.05, True)]
    warning = query(
        final,
        """select level from marts.fct_early_warnings
           where region_code = ? and period_month = ? and rule = 'bond_coverage'""",
        city.ZONE,
        OCTOBER,
    )
    assert warning == [("红",)]
    failure = query(
        final,
        """select severity, value, hint from marts.fct_dq_failures
           where region_code = ? and period_month = ? and rule = 'coverage_ratio_mismatch'""",
        city.ZONE,
        OCTOBER,
    )
    assert [(s, v) for s, v, _ in failure] == [("warn", "1.05")]
    assert "本息覆盖倍数 = 项目收益 / 融资本息" in failure[0][2]


# --------------------------------------------------------------------------- 10. quiet night


def test_a_night_with_nothing_new_leaves_the_bulletin_and_the_snapshot_as_they_were(nights):
    before, after = nights["published"]
    assert set(before) == {
        ".bulletin.json",
        "投资攻坚擂台通报_2026年10月.docx",
        "投资攻坚擂台通报_2026年10月.pdf",
        "投资攻坚擂台通报_2026年10月.xlsx",
        "投资攻坚擂台通报_2026年10月.html",
        "published.duckdb",
    }
    assert after == before


def test_the_clerks_and_analysts_commands_work_by_path_in_a_minimal_environment(nights):
    root = nights["root"]
    checked = xmk(root, "validate", "raw/2026-10/229902_江北区.xlsx", "--out", "selfcheck")
    assert checked.returncode == 1  # the first October workbook has its 待定 plan
    assert "江北区, 2026年10月" in checked.stdout and "1 项错误" in checked.stdout
    report = root / "selfcheck" / "reports" / "2026-10" / f"{city.JIANGBEI}_江北区"
    assert any(report.glob("数据质量报告_*.xlsx"))

    answered = xmk(root, "sql", "select count(*) as n from dim_region", "--format", "csv")
    assert (answered.returncode, answered.stdout.split()) == (0, ["n", "5"])

    written = xmk(root, "template", "--out", "blank.xlsx")
    assert written.returncode == 0 and (root / "blank.xlsx").is_file()
