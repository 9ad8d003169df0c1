"""The demo city's 协调推进会 (三(四)): the minutes of the meetings of the last two months,
as the project centre keeps them in raw/meetings/ (the meeting's day in the file name).
The earlier meeting's minutes are sent again a month later with their progress; that
version replaces the first.

One row per decision: what was decided, the department that leads it (one of the city's
department_leaders), its person, the 完成时限 and how far it has got (落实情况, 办结日期).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from dagster_project.contract import MEETING_DECISION_FIELDS
from dagster_project.demo.periods import SHANGHAI, month_start
from dagster_project.demo.stable_files import workbook_bytes, write_if_changed
from dagster_project.ingest.discover import MEETINGS_DIR
from dagster_project.template.workbook import DAY_FORMAT

COLUMNS = (
    "seq",
    "decision",
    "owner_department",
    "responsible_person",
    "deadline",
    "decision_status",
    "resolved_on",
)
_HEADERS = {f.name: f.header for f in MEETING_DECISION_FIELDS}
# (department, decision, person); a meeting takes six to nine of them.
_DECISIONS = (
    ("市自然资源局", "统筹解决年内拟开工项目用地指标缺口，优先保障三早项目", "刘建军"),
    ("市生态环境局", "明年拟开工项目环评与规划许可并联办理，压缩审批时间", "王海燕"),
    ("市住建局", "督促冬季施工项目落实施工组织方案，确保冬季不停工项目连续施工", "张立新"),
    ("市财政局", "落实重大谋划项目前期工作经费，支持开展可行性研究", "李红梅"),
    ("市发改委", "对已开工未入统项目逐个会商入库条件，限期完成入库纳统", "赵永刚"),
    ("市统计局", "会同各县（市）区核实已开工未入统项目入库资料", "孙丽"),
    ("市交通运输局", "协调解决重点交通项目征地拆迁问题，保障施工进场", "周强"),
    ("市水利局", "加快水利项目专项债券资金支出，杜绝资金闲置", "吴海涛"),
    ("市商务局", "对已签约招商引资项目建立落地台账，逐月跟踪注册、供地和开工", "郑晓东"),
    ("市工信局", "推动已落地工业项目尽快开工建设，年底前形成实物工作量", "冯志远"),
    ("市农业农村局", "落实农业项目设施用地备案，年内完成手续办理", "陈雪"),
    ("国网吉林供电公司", "对拟开工项目提前开展电力接入方案设计，缩短接电时间", "杨光"),
)


def meeting_days(last: int) -> list[date]:
    """The meetings of the last two reporting months: one in the third week of each."""
    return [month_start(m).replace(day=18) for m in (last - 1, last)]


def decisions(day: date, seed: int, as_of: date) -> list[dict]:
    """The meeting's decisions with their progress as known on `as_of` (own draws per
    meeting, so a later version of the minutes keeps the decisions and their deadlines)."""
    rng = random.Random(f"{seed}:meeting:{day}")
    picked = rng.sample(_DECISIONS, rng.randint(6, 9))
    rows = []
    for i, (department, text, person) in enumerate(picked, start=1):
        deadline = day + timedelta(days=rng.choice((12, 20, 30, 40, 60)))
        done = day + timedelta(days=rng.randint(5, 40)) if rng.random() < 0.7 else None
        if done is not None and done <= as_of:
            status, resolved = "已办结", done
        else:
            status, resolved = ("正在推进" if as_of > day + timedelta(days=10) else "已部署"), None
        rows.append(
            {
                "seq": str(i),
                "decision": text,
                "owner_department": department,
                "responsible_person": person,
                "deadline": deadline,
                "decision_status": status,
                "resolved_on": resolved,
            }
        )
    return rows


def minutes_workbook(day: date, rows: list[dict]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "议定事项"
    ws.append([f"全市重大项目协调推进会议议定事项（{day.year}年{day.month}月{day.day}日）"])
    ws.append([_HEADERS[name] for name in COLUMNS])
    for row in rows:
        ws.append([row[name] for name in COLUMNS])
    for r in range(3, 3 + len(rows)):
        for c in (5, 7):
            ws.cell(r, c).number_format = DAY_FORMAT
    ws.append([])
    ws.append(["注：请各牵头单位于每月25日前将落实情况报市项目中心。"])
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 16
    return wb


def write_minutes(out_dir: Path, last: int, seed: int) -> list[str]:
    """The minutes files (paths under out_dir): each meeting's, received two days after it,
    and the earlier meeting's again with its progress, a month after the first."""
    written = []
    earlier, latest = meeting_days(last)
    versions = [
        (earlier, earlier + timedelta(days=2), ""),
        (earlier, earlier + timedelta(days=32), "（落实情况更新）"),
        (latest, latest + timedelta(days=2), ""),
    ]
    for day, sent, suffix in versions:
        received = datetime(sent.year, sent.month, sent.day, 16, 30, tzinfo=SHANGHAI)
        rel = f"{MEETINGS_DIR}/{day:%Y-%m-%d}_协调推进会议纪要{suffix}.xlsx"
        wb = minutes_workbook(day, decisions(day, seed, sent))
        write_if_changed(out_dir / rel, workbook_bytes(wb, received), received)
        written.append(rel)
    return written
