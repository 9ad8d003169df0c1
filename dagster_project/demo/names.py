"""Plausible names for the demo: towns, companies, project titles, leaders and phones of one
submitter. Every function draws from the submitter's own seeded generator."""

from __future__ import annotations

import random
from dataclasses import dataclass

from dagster_project.contract import SECTORS

# Telephone area codes of the prefectures (by the first four digits of a region code).
AREA_CODES = {
    "2201": "0431",
    "2202": "0432",
    "2203": "0434",
    "2204": "0437",
    "2205": "0435",
    "2206": "0439",
    "2207": "0438",
    "2208": "0436",
    "2224": "0433",
}

# Two-digit divisions of the national industry classification, per sector, for codes.
SECTOR_CODES = {
    "工业": ("13", "26", "30", "36", "39"),
    "农业": ("01", "03"),
    "交通": ("48", "54"),
    "水利": ("76", "46"),
    "能源": ("44", "45"),
    "城建": ("47", "48", "70"),
    "社会事业": ("83", "84", "85"),
    "生态环保": ("77", "78"),
    "服务业": ("59", "72", "61"),
    "新基建": ("63", "65"),
}
assert set(SECTOR_CODES) == set(SECTORS)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁于蒋蔡"
_GIVEN = "建国立军海涛志强晓东明辉振华春雨永刚丽娜文博宏伟玉梅俊峰国庆长青秀英德胜凤霞宝山金龙"
_TOWN_FIRST = "天新白黄松庆漂红前后太双永金二三大小北南东西榆桦柳岔"
_TOWN_SECOND = "岗站山河江岭湖源泉台沟屯甸堡林阳平安丰兴"
_BRANDS = (
    "鑫源", "恒达", "华信", "宏远", "吉泰", "松江", "金珠", "天成", "嘉禾", "瑞丰",
    "东升", "兴隆", "永盛", "佳美", "华强", "通达", "长白", "雪原", "北方", "鼎盛",
    "龙华", "盛泰", "金诚", "福源", "中科", "博远", "聚鑫", "万通", "亿丰", "润达",
)  # fmt: skip
_RIVERS = ("松花江", "拉法河", "蛟河", "辉发河", "饮马河", "牤牛河", "温德河", "细鳞河")
_ROADS = ("解放大路", "长春路", "北京路", "人民大街", "建设街", "滨江路", "新华路", "吉林大街")

# Per sector: (title, scope, owner, products). In titles {r} is the region, {t}/{t2}
# towns, {b} a brand, {p} a product, {y} the year of a yearly programme. An owner starting
# with "@" is a company of that industry and the title's brand, any other owner a public
# body of the region; a product may carry its own industry after "|".
_CATALOGUE = {
    "工业": (
        ("{b}年产{n}万吨{p}项目", "新建生产厂房{a}平方米，购置生产设备{k}台（套）", "@",
         ("矿泉水|食品", "饲料|农牧", "精细化工产品|化工", "铁合金|冶金", "新型建材|建材")),
        ("{b}{p}生产线建设项目", "新建生产线{k2}条，购置设备{k}台（套）", "@",
         ("碳纤维原丝|碳纤维", "汽车零部件|汽车零部件", "光伏组件|新能源科技",
          "锂电池负极材料|新材料", "复合材料制品|新材料")),
        ("{r}{p}产业园建设项目", "建设标准化厂房{a}平方米及配套设施", "@",
         ("人参精深加工|生物科技", "林下经济|农业科技", "新材料|新材料", "装备制造|机械制造",
          "医药健康|药业", "绿色食品|食品")),
        ("{b}{p}技术改造项目", "改造生产线{k2}条，更新设备{k}台（套）", "@",
         ("化纤|化纤", "热电联产|热电", "铸造|机械", "制药|药业", "造纸|纸业")),
        ("{b}{p}扩能项目", "扩建车间{a}平方米，新增产能{n}万吨", "@",
         ("碳纤维|碳纤维", "化工新材料|化工", "农产品加工|食品")),
    ),
    "农业": (
        ("{t}{n}万亩高标准农田建设项目", "建设高标准农田{n}万亩，配套灌溉渠系及田间道路",
         "{r}农业农村局", ()),
        ("{t}现代农业产业园项目", "建设育苗中心及加工车间{a}平方米", "{r}农业农村局", ()),
        ("{b}{t}肉牛养殖基地建设项目", "新建标准化牛舍{k}栋，存栏肉牛{n}千头", "@牧业", ()),
        ("{t}设施农业温室大棚项目", "新建日光温室{k}栋", "{town}人民政府", ()),
        ("{r}{t}粮食仓储设施建设项目", "新建仓容{n}万吨粮库及配套设施",
         "{r}粮食收储有限公司", ()),
    ),
    "交通": (
        ("{t}至{t2}公路改扩建工程", "改扩建公路{k}公里，路基宽{w}米", "{r}交通运输局", ()),
        ("{r}{y}年农村公路提质改造工程", "提质改造农村公路{k}公里", "{r}交通运输局", ()),
        ("{r}{t}客运站建设项目", "新建客运站房{a}平方米及停车场",
         "{r}城市建设投资有限公司", ()),
        ("国道G{g}线{t}段改扩建工程", "改扩建一级公路{k}公里", "{r}交通运输局", ()),
        ("{river}{t}大桥建设工程", "新建桥梁{k}00米及接线道路", "{r}交通运输局", ()),
    ),
    "水利": (
        ("{river}{t}段河道治理工程", "治理河道{k}公里，新建堤防及护岸工程", "{r}水利局", ()),
        ("{r}{t}供水管网改造工程", "改造供水管网{k}公里，新建加压泵站{k2}座",
         "{r}水务集团有限公司", ()),
        ("{t}水库除险加固工程", "大坝加固、溢洪道及放水洞改造", "{r}水利局", ()),
        ("{r}{y}年农村饮水安全巩固提升工程", "新建及改造供水工程{k}处", "{r}水利局", ()),
    ),
    "能源": (
        ("{r}{n}万千瓦风电项目", "安装风电机组{k}台及配套升压站", "@新能源", ()),
        ("{r}{n}0兆瓦光伏发电项目", "建设光伏阵列及配套升压站、送出线路", "@新能源", ()),
        ("{t}66千伏输变电工程", "新建66千伏变电站1座，架设线路{k}公里", "国网{r}供电公司", ()),
        ("{r}{y}年供热管网改造项目", "改造供热管网{k}公里，新建换热站{k2}座",
         "{r}热力有限公司", ()),
        ("{r}{t}天然气管网建设项目", "新建中压燃气管道{k}公里", "{r}燃气有限公司", ()),
    ),
    "城建": (
        ("{r}{y}年老旧小区改造项目（{n}个小区）", "改造老旧小区{n}个，涉及{k}00户",
         "{r}住房和城乡建设局", ()),
        ("{r}{road}改造工程", "改造道路{k}公里，配套雨污管网", "{r}城市建设投资有限公司", ()),
        ("{r}{road}地下综合管廊工程", "建设综合管廊{k}公里", "{r}城市建设投资有限公司", ()),
        ("{b}{p}住宅小区建设项目", "总建筑面积{a}平方米，住宅{k}栋", "@",
         ("家园|置业", "花园|房地产开发", "名苑|置业", "新城|房地产开发")),
        ("{r}{t}片区雨污分流改造工程", "新建雨污水管网{k}公里", "{r}住房和城乡建设局", ()),
    ),
    "社会事业": (
        ("{r}第{n}中学教学楼建设项目", "新建教学楼{a}平方米", "{r}教育局", ()),
        ("{r}第{n}小学改扩建项目", "改扩建教学及辅助用房{a}平方米", "{r}教育局", ()),
        ("{r}人民医院{p}建设项目", "新建业务用房{a}平方米，购置医疗设备{k}台（套）",
         "{r}人民医院", ("门诊综合楼", "住院楼", "急救中心", "传染病区")),
        ("{r}中医院{p}改扩建项目", "改扩建业务用房{a}平方米", "{r}中医院",
         ("门诊楼", "住院楼", "康复中心", "制剂室")),
        ("{r}{t}养老服务中心建设项目", "新建养老用房{a}平方米，床位{k}0张", "{r}民政局", ()),
        ("{r}{t}全民健身中心项目", "新建体育馆{a}平方米及室外运动场",
         "{r}文化广播电视和旅游局", ()),
        ("{t}中心卫生院改造项目", "改造业务用房{a}平方米", "{r}卫生健康局", ()),
    ),
    "生态环保": (
        ("{r}{t}污水处理厂提标改造工程", "提标改造，日处理能力{k}000吨",
         "{r}水务集团有限公司", ()),
        ("{b}{r}生活垃圾焚烧发电项目", "日处理生活垃圾{k}00吨", "@环保能源", ()),
        ("{t}山水林田湖草综合治理项目", "综合治理面积{k}平方公里", "{r}自然资源局", ()),
        ("{river}{t}段水环境综合治理项目", "治理河道{k}公里，建设生态护岸", "{r}水利局", ()),
    ),
    "服务业": (
        ("{r}{b}商业综合体项目", "总建筑面积{a}平方米", "@置业", ()),
        ("{r}{b}冷链物流园建设项目", "新建冷库{k}万吨及物流配送中心", "@物流", ()),
        ("{t}旅游度假区{p}项目", "总建筑面积{a}平方米，建设配套设施", "@旅游开发",
         ("滑雪场", "温泉酒店", "游客中心", "民宿集群")),
        ("{r}{b}电商产业园项目", "建设电商孵化及仓储用房{a}平方米", "@电子商务", ()),
    ),
    "新基建": (
        ("{r}{y}年5G基站建设项目", "新建5G基站{k}0座及配套传输线路",
         "中国移动通信集团吉林有限公司", ()),
        ("{r}{b}数据中心建设项目", "建设机房{a}平方米，机柜{k}00架", "@数字科技", ()),
        ("{r}{p}建设项目", "建设城市运行管理平台及感知设施",
         "{r}政务服务和数字化建设管理局", ("智慧城市", "城市运行管理平台", "数字乡村", "智慧交通")),
        ("{r}{b}新能源汽车充电设施建设项目", "新建充电桩{k}0个", "@新能源科技", ()),
    ),
}  # fmt: skip
assert set(_CATALOGUE) == set(SECTORS)
_UNITS = (
    "发展和改革局",
    "工业和信息化局",
    "住房和城乡建设局",
    "农业农村局",
    "商务局",
    "交通运输局",
)
_ZONE_UNITS = ("经济发展局", "规划建设局", "招商局", "财政局")


@dataclass(frozen=True)
class Naming:
    name: str
    owner: str
    scope: str
    location: str


class Namer:
    """Names for one submitter; keeps project names unique within it."""

    def __init__(self, region: dict, rng: random.Random):
        self.region = region
        self.rng = rng
        self.short = region_short(region)
        self.area_code = AREA_CODES.get(region["region_code"][:4], "0432")
        self.towns = self._distinct(lambda: rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND), 8)
        self.towns = [t + rng.choice(("镇", "镇", "乡", "街道")) for t in self.towns]
        self.leaders = self._distinct(self.person, 10)
        self.phones = {name: self.phone() for name in self.leaders}
        self.zone = region["region_kind"] in ("开发区", "新区")
        units = _ZONE_UNITS if self.zone else _UNITS
        self.units = [region["region_name"] + unit for unit in units[:4]]
        self.units += [
            t + ("人民政府" if t.endswith(("镇", "乡")) else "办事处") for t in self.towns[:3]
        ]
        self.used_names: set[str] = set()

    def _distinct(self, make, count: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            value = make()
            if value not in out:
                out.append(value)
        return out

    def person(self) -> str:
        given = self.rng.choice(_GIVEN)
        if self.rng.random() < 0.7:
            given += self.rng.choice(_GIVEN)
        return self.rng.choice(_SURNAMES) + given

    def phone(self) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(("139", "138", "135", "158", "186", "131")) + "".join(
                self.rng.choice("0123456789") for _ in range(8)
            )
        return f"{self.area_code}-6{self.rng.randint(100000, 999999)}"

    def project(self, sector: str, year: int) -> Naming:
        """Title, owner, scope and location that belong together; titles are unique."""
        for _ in range(20):
            naming = self._draw(sector, year)
            if naming.name not in self.used_names:
                break
        base, phase = naming.name, 1
        while naming.name in self.used_names:
            # A further phase of a project the county already has.
            phase += 1
            label = "二三四五六七八九"[phase - 2] + "期" if phase < 10 else f"{phase}期"
            naming = Naming(f"{base}（{label}）", naming.owner, naming.scope, naming.location)
        self.used_names.add(naming.name)
        return naming

    def _draw(self, sector: str, year: int) -> Naming:
        rng = self.rng
        title, scope, owner, products = rng.choice(_CATALOGUE[sector])
        product, _, industry = (rng.choice(products) if products else "").partition("|")
        town, town2 = rng.sample(self.towns, 2)
        brand = rng.choice(_BRANDS)
        values = {
            "r": self.short,
            "y": year,
            "t": _bare(town),
            "t2": _bare(town2),
            "town": town,
            "b": brand,
            "p": product,
            "n": rng.randint(2, 20),
            "river": rng.choice(_RIVERS),
            "road": rng.choice(_ROADS),
            "g": rng.choice(("202", "302", "332", "333", "201")),
            "a": rng.randint(5, 300) * 100,
            "k": rng.randint(2, 60),
            "k2": rng.randint(1, 6),
            "w": rng.choice((8, 10, 12, 24)),
        }
        if owner.startswith("@"):
            industry = owner[1:] or industry or "实业"
            form = rng.choice(("有限公司", "有限公司", "股份有限公司", "集团有限公司"))
            owner_name = f"吉林省{brand}{industry}{form}"
        elif (
            self.zone and not owner.startswith("{town}") and not owner.startswith(("国网", "中国"))
        ):
            # Zones have no county bureaus: their own 管委会 or development company builds.
            owner_name = rng.choice(
                (f"{self.region['region_name']}管理委员会", f"{self.short}开发建设投资有限公司")
            )
        else:
            owner_name = owner.format(**values | {"r": self.region["region_name"]})
        where = town if "{t}" in title or "{town}" in owner else rng.choice(self.towns)
        return Naming(
            name=title.format(**values),
            owner=owner_name,
            scope=scope.format(**values),
            location=self.region["region_name"] + where,
        )

    def responsible(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """(责任单位, 责任人, 联系电话); about one in ten projects has two leaders."""
        unit = self.rng.choice(self.units)
        people = [self.rng.choice(self.leaders)]
        if self.rng.random() < 0.1:
            second = self.rng.choice(self.leaders)
            if second != people[0]:
                people.append(second)
        return unit, tuple(people), tuple(self.phones[p] for p in people)


def _bare(town: str) -> str:
    """天岗镇 -> 天岗, as titles name towns; 街道 and 乡 keep their suffix."""
    return town[:-1] if town.endswith("镇") else town


def region_short(region: dict) -> str:
    """The name a region uses inside project titles: 蛟河市 stays, 吉林高新技术产业开发区
    becomes its first alias."""
    if region["aliases"] and region["region_kind"] in ("开发区", "新区"):
        return (
            region["region_name"]
            if region["region_kind"] == "新区"
            else region["aliases"].split("|")[-1]
        )
    return region["region_name"]
