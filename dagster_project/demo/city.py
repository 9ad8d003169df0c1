"""Reference data of the demo: the submitters of 吉林市 (or of a synthetic province) and the
分管副市长 of each municipal department.

The columns are the contract of `<raw>/reference/regions.csv` and
`<raw>/reference/department_leaders.csv` (SPEC §8); the city scale is also shipped as the
dbt seeds.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from dagster_project.ingest.reference import OPTIONAL_COLUMNS, REFERENCE_COLUMNS

# The demo writes the columns the reference reader checks for.
REGION_COLUMNS = REFERENCE_COLUMNS["regions.csv"]
LEADER_COLUMNS = (
    *REFERENCE_COLUMNS["department_leaders.csv"],
    *OPTIONAL_COLUMNS["department_leaders.csv"],
)

COUNTY_GROUP = "县(市、区)"
ZONE_GROUP = "开发区"
SCALES = ("city", "province")

CITY_CODE = "220200"
CITY_NAME = "吉林市"

# (code, name, aliases, kind, mail host). 吉林市 as it is organised for project work:
# nine counties and districts, three development zones and the 北大湖新区 office.
_CITY_SUBMITTERS = (
    ("220202", "昌邑区", "", "区", "changyi"),
    ("220203", "龙潭区", "", "区", "longtan"),
    ("220204", "船营区", "", "区", "chuanying"),
    ("220211", "丰满区", "", "区", "fengman"),
    ("220221", "永吉县", "", "县", "yongji"),
    ("220281", "蛟河市", "", "县级市", "jiaohe"),
    ("220282", "桦甸市", "", "县级市", "huadian"),
    ("220283", "舒兰市", "", "县级市", "shulan"),
    ("220284", "磐石市", "", "县级市", "panshi"),
    ("220271", "吉林高新技术产业开发区", "高新区|吉林高新区", "开发区", "jlgx"),
    ("220272", "吉林经济技术开发区", "经开区|吉林经开区", "开发区", "jljk"),
    # No mailbox on file: the county reports must warn instead of sending nothing silently.
    ("220273", "吉林中国新加坡食品区", "食品区|中新食品区", "开发区", ""),
    ("220274", "北大湖新区", "新区|市新区办", "新区", "beidahu"),
)

# The other prefectures of the synthetic province: (code, name, short name).
_PREFECTURES = (
    ("220100", "长春市", "长春"),
    ("220300", "四平市", "四平"),
    ("220400", "辽源市", "辽源"),
    ("220500", "通化市", "通化"),
    ("220600", "白山市", "白山"),
    ("220700", "松原市", "松原"),
    ("220800", "白城市", "白城"),
    ("222400", "延边朝鲜族自治州", "延边"),
)
_ZONES = (  # (name suffix, alias suffix)
    ("高新技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
    ("综合保税区", "综保区"),
)
_FIRST = "东西南北安长永新兴和宁平靖临清通集辉梅柳双九德乾扶洮前图敦汪抚江松桦绥榆敖"
_SECOND = "丰安阳河山林源化原远春台岭城泉余州川康宇盛隆阜北门岗营沟甸水湖"

_LEADERS = (
    ("市发改委", "陈立群", "fgw@jlcity.example.gov.cn"),
    ("市自然资源局", "刘振国", "zrzyj@jlcity.example.gov.cn"),
    ("市生态环境局", "孙海涛", "sthjj@jlcity.example.gov.cn"),
    ("市住建局", "刘振国", "zjj@jlcity.example.gov.cn"),
    ("市财政局", "陈立群", "czj@jlcity.example.gov.cn"),
    ("市统计局", "陈立群", "tjj@jlcity.example.gov.cn"),
    ("市交通运输局", "郑宏伟", "jtysj@jlcity.example.gov.cn"),
    ("市水利局", "孙海涛", "slj@jlcity.example.gov.cn"),
    ("市商务局", "周文博", "swj@jlcity.example.gov.cn"),
    ("市工信局", "周文博", "gxj@jlcity.example.gov.cn"),
    ("市农业农村局", "孙海涛", "nyncj@jlcity.example.gov.cn"),
    ("国网吉林供电公司", "郑宏伟", ""),
)


def _row(code, name, aliases, kind, parent, email) -> dict:
    group = ZONE_GROUP if kind in ("开发区", "新区") else COUNTY_GROUP
    return dict(zip(REGION_COLUMNS, (code, name, aliases, kind, group, parent, email), strict=True))


def _city_rows() -> list[dict]:
    return [
        _row(code, name, aliases, kind, CITY_CODE, f"xmzx@{host}.example.gov.cn" if host else "")
        for code, name, aliases, kind, host in _CITY_SUBMITTERS
    ]


def _prefecture_rows(code: str, short: str, rng: random.Random, taken: set[str]) -> list[dict]:
    def place_name() -> str:
        while True:
            name = rng.choice(_FIRST) + rng.choice(_SECOND)
            if name not in taken and name != short:
                taken.add(name)
                return name

    prefix = code[:4]
    rows = []
    # National codes: 01-19 districts, 21-29 counties, 71-79 zones, 81-89 county-level cities.
    for kind, suffix, first, count in (
        ("区", "区", 2, rng.randint(5, 8)),
        ("县", "县", 21, rng.randint(6, 9)),
        ("县级市", "市", 81, rng.randint(4, 6)),
    ):
        for i in range(count):
            sub = f"{prefix}{first + i:02d}"
            rows.append(_row(sub, place_name() + suffix, "", kind, code, _mail(sub)))
    for i, (suffix, alias) in enumerate(_ZONES[: rng.randint(1, 3)]):
        sub = f"{prefix}{71 + i:02d}"
        rows.append(_row(sub, short + suffix, short + alias, "开发区", code, _mail(sub)))
    return rows


def _mail(code: str) -> str:
    return f"xmzx@r{code}.example.gov.cn"


def regions(scale: str = "city") -> list[dict]:
    """The submitters, one dict per region with the columns of regions.csv."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {SCALES}")
    city = _city_rows()
    if scale == "city":
        return city
    # A fixed seed: the province is reference data and must not change with --seed.
    rng = random.Random("province-regions")
    taken = {r["region_name"][:-1] for r in city}
    rows = []
    for code, _name, short in _PREFECTURES:
        rows.extend(_prefecture_rows(code, short, rng, taken))
        if code == "220100":  # keep the list ordered by code: 吉林市 comes second
            rows.extend(city)
    return rows


def prefecture_names() -> dict[str, str]:
    """Prefecture code -> name, for titles such as 吉林市在建项目清单."""
    return {CITY_CODE: CITY_NAME} | {code: name for code, name, _ in _PREFECTURES}


def department_leaders() -> list[dict]:
    """责任部门 -> 分管副市长, the escalation path of the issue ledger (三(四))."""
    return [dict(zip(LEADER_COLUMNS, pair, strict=True)) for pair in _LEADERS]


def csv_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def reference_files(scale: str = "city") -> dict[str, str]:
    """File name -> UTF-8 text of the two reference CSV files."""
    return {
        "regions.csv": csv_text(regions(scale), REGION_COLUMNS),
        "department_leaders.csv": csv_text(department_leaders(), LEADER_COLUMNS),
    }


def write_reference(directory: Path, scale: str = "city") -> list[Path]:
    """Write regions.csv and department_leaders.csv into `directory`; unchanged files are
    left alone so that their modification time keeps meaning "received"."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in reference_files(scale).items():
        path = directory / name
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        paths.append(path)
    return paths
