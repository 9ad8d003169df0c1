"""江源市: a city that is not the demo's, with its own regions reference, and five
submitters that each keep their workbooks their own way.

* 江北区 — the official template (``xmk template``), every list on it;
* 青山县 — an old-style workbook in 亿元: 附件/title/单位 rows, a two-row merged header
  (投资情况 over 总投资 / 本年计划 / 1-X月完成), 一、/二、 sections, 小计 and 合计 rows, and a
  问题台账 without 责任人 or 责任单位 columns;
* 柳河县 — a headerless-title BIFF ``.xls`` named without its code, in words of its own
  (项目编码, 项目单位, 所在地, 计划总投资, 年度计划, 本年完成投资, 牵头单位, 电话);
* 江源经开区 — GBK CSV files, one per list (在建, 专项债券);
* 白河县 — an official template in September, nothing in October.

The statistics bureau writes its own headers (县（市、区）, 同比增长). September is clean
and complete. October comes in two nights: first with the problems a real city has (see
`october_first`), then with what the counties and the project centre do about them
(`october_fixes`).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

from tests.workbooks import write_official, write_xls

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
JIANGBEI, QINGSHAN, LIUHE, ZONE, BAIHE = "229902", "229921", "229922", "229971", "229923"
NAMES = {
    JIANGBEI: "江北区",
    QINGSHAN: "青山县",
    LIUHE: "柳河县",
    ZONE: "江源经济开发区",
    BAIHE: "白河县",
}
REGIONS_CSV = """region_code,region_name,aliases,region_kind,rank_group,parent_code,contact_email
229902,江北区,江北,区,县(市、区),229900,xmzx@jiangbei.example.gov.cn
229921,青山县,,县,县(市、区),229900,xmzx@qingshan.example.gov.cn
229922,柳河县,,县,县(市、区),229900,xmzx@liuhe.example.gov.cn
229923,白河县,,县,县(市、区),229900,xmzx@baihe.example.gov.cn
229971,江源经济开发区,江源经开区|经开区,开发区,开发区,229900,xmzx@jykfq.example.gov.cn
"""
LEADERS_CSV = """department,leader
青山县自然资源局,王副市长
青山县财政局,李副市长
江北区住建局,赵副市长
"""


def code(region: str, i: int) -> str:
    return f"2025-{region}-48-01-{i:06d}"


def _received(path: Path, when: str) -> Path:
    ts = datetime.fromisoformat(when).timestamp()
    os.utime(path, (ts, ts))
    return path


def _received_on(month: date, day: int, hour: int = 9) -> str:
    return f"{month.year + (month.month == 12)}-{month.month % 12 + 1:02d}-{day:02d} {hour:02d}:00"


def reference(raw: Path) -> None:
    folder = raw / "reference"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "regions.csv").write_text(REGIONS_CSV, encoding="utf-8")
    (folder / "department_leaders.csv").write_text(LEADERS_CSV, encoding="utf-8")


# --------------------------------------------------------------------------- 江北区


def _jiangbei_person(i: int) -> dict:
    return {
        "project_owner": f"江北区城建投资公司{i}",
        "location": "江北区滨江街道",
        "sector": "城建",
        "responsible_unit": "江北区住建局",
        "responsible_person": "周明",
        "contact_phone": "0439-3221234",
        "library_level": "县级",
    }


def _jiangbei_uc(i: int, total, plan, ytd, **fields) -> dict:
    return {
        "project_code": code(JIANGBEI, i),
        "project_name": f"江北区滨江项目{i}",
        **_jiangbei_person(i),
        "construction_type": "续建",
        "total_investment_wan": total,
        "annual_plan_wan": plan,
        "ytd_completed_wan": ytd,
        "planned_start": date(2025, 4, 1),
        "actual_start": date(2025, 5, 1),
        "planned_completion": date(2027, 10, 1),
        "target_task": "完成主体工程",
        "in_stats": True,
        "stats_entry_month": date(2025, 6, 1),
        **fields,
    }


def _jiangbei(raw: Path, month: date, rows: list[dict], unstated=(), suffix="", when=None):
    path = raw / f"{month:%Y-%m}" / f"{JIANGBEI}_江北区{suffix}.xlsx"
    ledger = [
        {
            "project_name": "江北区滨江项目1",
            "issue_type": "征拆",
            "issue_description": "二期用地尚有3户未签约",
            "issue_raised_on": date(2026, 8, 20),
            "issue_department": "江北区住建局",
            "issue_status": "办理中",
        }
    ]
    write_official(
        path,
        "江北区",
        month,
        {"under_construction": rows, "unstated": list(unstated), "issue_ledger": ledger},
    )
    return _received(path, when or _received_on(month, 4))


def jiangbei_september(raw: Path) -> Path:
    return _jiangbei(
        raw,
        SEPTEMBER,
        [
            _jiangbei_uc(1, 12000, 4000, 3000),
            # 滨江项目2 is finished in September and says so: it leaves the list after.
            _jiangbei_uc(2, 3000, 1000, 1000, actual_completion=date(2026, 9, 1)),
            _jiangbei_uc(3, 6000, 2000, 900),
        ],
    )


def jiangbei_october(raw: Path, fixed: bool) -> Path:
    if fixed:
        project4 = _jiangbei_uc(4, 5000, 2000, 600, planned_completion=date(2027, 6, 1))
    else:
        # A range where one month belongs, and a plan "to be decided": one row, two problems.
        project4 = _jiangbei_uc(4, 5000, "待定", 600, planned_completion="2023-2025")
    rows = [
        _jiangbei_uc(1, 12000, 4000, 3600),
        # 滨江项目3: its start month is on the 已开工未入统 sheet only (borrowed, warned).
        _jiangbei_uc(
            3, 6000, 2000, 1100, actual_start=None, in_stats=False, stats_entry_month=None
        ),
        project4,
    ]
    unstated = [
        {
            "project_code": code(JIANGBEI, 3),
            "project_name": "江北区滨江项目3",
            **_jiangbei_person(3),
            "total_investment_wan": 6000,
            "actual_start": date(2026, 8, 1),
            "ytd_completed_wan": 1100,
            "expected_stats_month": date(2026, 12, 1),
            "unstated_reason": "尚未达到入统条件",
        }
    ]
    if fixed:
        return _jiangbei(raw, OCTOBER, rows, unstated, "_更正", _received_on(OCTOBER, 8))
    return _jiangbei(raw, OCTOBER, rows, unstated)


# --------------------------------------------------------------------------- 青山县


def _qingshan(raw: Path, month: date, projects: list[tuple]) -> Path:
    """Projects as (section, name, total 亿元, plan 亿元, ytd 亿元, start, leader)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "附件1 在建项目清单"
    ws.append(["附件1"])
    ws.append([f"青山县{month.year}年{month.month}月在建项目推进情况表"])
    ws.append(["填报单位：青山县发展和改革局", None, None, None, None, None, None, "单位：亿元"])
    ws.append(["序号", "项目名称", "建设单位", "建设地点", "投资情况", None, None,
               "开工时间", "责任单位", "包保领导", "联系方式"])  # fmt: skip
    ws.append([None, None, None, None, "总投资", "本年计划投资",
               f"1-{month.month}月累计完成投资"])  # fmt: skip
    for col in "ABCDHIJK":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("E4:G4")
    sections = {"一": "一、产业项目", "二": "二、基础设施项目"}
    seq = 0
    for section in ("一", "二"):
        ws.append([sections[section]])
        first = ws.max_row + 1
        for sec, name, total, plan, ytd, start, leader in projects:
            if sec != section:
                continue
            seq += 1
            ws.append([seq, name, f"{name[:-2]}有限公司", "青山县城关镇", total, plan, ytd,
                       start, "青山县发改局", leader, "13604391234"])  # fmt: skip
        last = ws.max_row
        ws.append(["小计", None, None, None, f"=SUM(E{first}:E{last})", None, None])
        ws[f"E{ws.max_row}"] = sum(p[2] for p in projects if p[0] == section)
    ws.append(["合计", None, None, None, sum(p[2] for p in projects)])
    ledger = wb.create_sheet("问题台账")
    ledger.append(["青山县重点项目问题台账"])
    ledger.append(["序号", "项目名称", "问题类型", "问题描述", "提出时间", "责任部门",
                   "完成时限", "办理情况"])  # fmt: skip
    ledger.append([1, "青山县新材料产业园", "用地", "园区二期用地报批未完成", "2026-07-15",
                   "青山县自然资源局", "2026-12-31", "办理中"])  # fmt: skip
    ledger.append([2, "青山县城区供热改造", "资金", "配套资金缺口3000万元", "2026-08-10",
                   "青山县财政局", None, "未办结"])  # fmt: skip
    path = raw / f"{month:%Y-%m}" / f"{QINGSHAN}_青山县.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return _received(path, _received_on(month, 5))


QINGSHAN_SEPTEMBER = [
    ("一", "青山县新材料产业园", 3.5, 1.2, 0.8, "2025年6月", "刘强"),
    ("一", "青山县农产品加工园", 1.2, 0.5, 0.3, "2026年4月", "刘强"),
    ("二", "青山县城区供热改造", 2.0, 0.8, 0.5, "2025.9", "陈红"),
]


def qingshan_september(raw: Path) -> Path:
    return _qingshan(raw, SEPTEMBER, QINGSHAN_SEPTEMBER)


def qingshan_october(raw: Path) -> Path:
    """Also copied, by mistake, to the top of raw/ on October's first night."""
    # 农产品加工园 is gone from October's sheet, with no word of completion.
    return _qingshan(
        raw,
        OCTOBER,
        [
            ("一", "青山县新材料产业园", 3.5, 1.2, 0.95, "2025年6月", "刘强"),
            ("二", "青山县城区供热改造", 2.0, 0.8, 0.62, "2025.9", "陈红"),
        ],
    )


# --------------------------------------------------------------------------- 柳河县

LIUHE_HEADER = ["序号", "项目编码", "项目名称", "项目单位", "所在地", "计划总投资(万元)",
                "年度计划(万元)", "本年完成投资(万元)", "计划开工", "实际开工", "牵头单位",
                "责任人", "电话"]  # fmt: skip


def _liuhe_rows(month: date) -> list[list]:
    progress = {SEPTEMBER: (2100, 750), OCTOBER: (2400, 820)}[month]
    return [
        [1, code(LIUHE, 1), "柳河县物流园区", "柳河县物流公司", "柳河镇", 8000, 3000,
         progress[0], "2025.3", "2025.4", "柳河县商务局", "孙伟", "13504391111"],
        [2, code(LIUHE, 2), "柳河县污水处理厂扩建", "柳河县水务公司", "安口镇", 2600, 1000,
         progress[1], "2026.2", "2026.3", "柳河县水利局", "钱芳", "13504392222"],
    ]  # fmt: skip


def liuhe(raw: Path, month: date, name: str, when: str) -> Path:
    path = raw / f"{month:%Y-%m}" / name
    write_xls(path, {"在建项目": [LIUHE_HEADER, *_liuhe_rows(month)]})
    return _received(path, when)


def liuhe_october_broken(raw: Path) -> Path:
    """What 柳河县 first sends for October: its stamped PDF, named like the workbook."""
    path = raw / "2026-10" / "柳河县2026年10月报表.xls"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return _received(path, _received_on(OCTOBER, 5))


# --------------------------------------------------------------------------- 江源经开区


def _gbk_csv(path: Path, rows: list[list]) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


def zone(raw: Path, month: date) -> list[Path]:
    ytd = {SEPTEMBER: 5200, OCTOBER: 5900}[month]
    uc = _gbk_csv(
        raw / f"{month:%Y-%m}" / f"{ZONE}_江源经开区_在建项目.csv",
        [
            ["项目名称", "项目法人", "建设地点", "总投资（万元）", "年度计划投资（万元）",
             "1-X月累计完成投资（万元）", "实际开工时间", "责任人", "联系电话"],
            ["江源经开区新能源装备产业园", "江源新能源装备有限公司", "经开区东区", "20000",
             "7000", str(ytd), "2025年7月", "吴刚、郑丽", "13604390001、13604390002"],
        ],
    )  # fmt: skip
    bonds = _gbk_csv(
        raw / f"{month:%Y-%m}" / f"{ZONE}_江源经开区_专项债券项目.csv",
        [
            ["项目名称", "项目法人", "建设地点", "总投资（万元）", "专项债券申请金额（万元）",
             "专项债券发行金额（万元）", "预期收入（万元）", "成本（万元）", "覆盖倍数",
             "计划开工时间", "实际开工时间", "责任人"],
            # reported 1.05, while 2690 / 1000 = 2.69
            ["江源经开区标准厂房", "江源城投公司", "经开区西区", "9000", "4000", "3000",
             "2690", "1000", "1.05", "2025年5月", "2025年6月", "冯涛"],
        ],
    )  # fmt: skip
    return [_received(p, _received_on(month, 3)) for p in (uc, bonds)]


# --------------------------------------------------------------------------- 白河县


def baihe_september(raw: Path) -> Path:
    path = raw / "2026-09" / f"{BAIHE}_白河县.xlsx"
    row = {
        "project_code": code(BAIHE, 1),
        "project_name": "白河县旅游集散中心",
        "project_owner": "白河县文旅投资公司",
        "location": "白河镇",
        "sector": "服务业",
        "construction_type": "新建",
        "total_investment_wan": 4500,
        "annual_plan_wan": 1500,
        "ytd_completed_wan": 700,
        "actual_start": date(2026, 4, 1),
        "target_task": "完成主体结构",
        "responsible_unit": "白河县文旅局",
        "responsible_person": "马兰",
        "contact_phone": "13904393333",
    }
    write_official(path, "白河县", SEPTEMBER, {"under_construction": [row]})
    return _received(path, _received_on(SEPTEMBER, 6))


# --------------------------------------------------------------------------- statistics


def statistics(raw: Path, month: date, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "分县区"
    ws.append([f"江源市{month.year}年1-{month.month}月固定资产投资分县（市、区）情况"])
    ws.append(["县（市、区）", "固定资产投资本年累计（万元）", "上年同期（万元）",
               "同比增长（%）", "民间投资本年累计（万元）"])  # fmt: skip
    for row in rows:
        ws.append(list(row))
    path = raw / f"{month:%Y-%m}" / "统计局_固定资产投资.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return _received(path, _received_on(month, 10))


STATISTICS_SEPTEMBER = [
    ("江北区", 52000, 48000, 8.3, 26000),
    ("青山县", 38000, 36000, 5.6, 15000),
    ("柳河县", 21000, 20000, 5.0, 9000),
    ("白河县", 12000, 12500, -4.0, 5000),
    ("江源经开区", 66000, 55000, 20.0, 40000),
]
STATISTICS_OCTOBER = [
    ("江北区", 52000, 50000, 4.0, 26500),  # 1-10月 equal to 1-9月: flat
    ("青山县", 42000, 40000, 12.0, 16500),  # 42000 / 40000 − 1 = 5.0 %, not 12.0 %
    ("柳河县", 23500, 22000, 6.8, 10000),
    ("白河县", 13100, 13500, -3.0, 5400),
    ("江源经开区", 73000, 61000, 19.7, 44000),
]


# --------------------------------------------------------------------------- nights


def september(raw: Path) -> None:
    """A clean and complete September."""
    reference(raw)
    jiangbei_september(raw)
    qingshan_september(raw)
    liuhe(raw, SEPTEMBER, "柳河县2026年9月报表.xls", _received_on(SEPTEMBER, 5))
    zone(raw, SEPTEMBER)
    baihe_september(raw)
    statistics(raw, SEPTEMBER, STATISTICS_SEPTEMBER)


def october_first(raw: Path) -> None:
    """October's first night: 江北区 has a row with an unreadable date and a plan 待定, and
    borrows a start month from its 已开工未入统 sheet; 青山县 drops a project without a word,
    and a copy of its workbook lands outside the month folders;
    柳河县 sends a PDF; 白河县 sends nothing; the zone's bond reports 覆盖倍数 1.05 against
    2.69 from its own figures; the bureau's 江北区 YTD is September's."""
    jiangbei_october(raw, fixed=False)
    october = qingshan_october(raw)
    # A copy dropped at the top of raw/, outside any month folder.
    (raw / october.name).write_bytes(october.read_bytes())
    liuhe_october_broken(raw)
    zone(raw, OCTOBER)
    statistics(raw, OCTOBER, STATISTICS_OCTOBER)


def october_fixes(raw: Path) -> None:
    """The second night: 江北区 corrects its workbook, 柳河县 sends the real one, the project
    centre exempts 白河县 for October and removes the copy outside the month folders."""
    (raw / f"{QINGSHAN}_青山县.xlsx").unlink()
    jiangbei_october(raw, fixed=True)
    liuhe(raw, OCTOBER, "柳河县2026年10月报表（更正）.xls", _received_on(OCTOBER, 9))
    (raw / "reference" / "exemptions.csv").write_text(
        "region_code,period_month,reason\n白河县,2026-10,县发改局机构调整，经市项目中心同意本月免报\n",
        encoding="utf-8",
    )
