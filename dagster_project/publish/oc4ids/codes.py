"""The city's values as OC4IDS codes: 行业领域 → projectSector, 全生命周期阶段 → projectStatus,
建设性质 → projectType (the codelists in schema/codelists/).

Each table names every value the city's code lists hold (dbt_project/seeds). A value mapped
to None has no code that says what it means, and the project goes out without that field;
a value that is not in a table at all (a county's own spelling, a new seed value) has no
code either. Both are counted and reported by the export (`Unmapped`), never guessed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# 行业领域 (seeds/sectors.csv) → projectSector. The codelist is about infrastructure: it has
# no code for industry or services, and "economy" is its economic-activity sector.
SECTOR_CODES: dict[str, str | None] = {
    "工业": "economy",  # factories, industrial parks: no industry code
    "农业": "economy",  # "economy, including agribusiness, agriculture"
    "服务业": "economy",  # commerce, logistics, tourism resorts: no services code
    "交通": "transport",
    "水利": "waterAndWaste",  # water supply, reservoirs, river works
    "能源": "energy",
    "新基建": "communications",  # 5G, data centres, smart-city platforms
    # Several codes each and none for the whole: roads, pipes, housing (城建); schools,
    # hospitals, culture, elderly care (社会事业); sewage, waste, ecological repair (生态环保).
    "城建": None,
    "社会事业": None,
    "生态环保": None,
}

# 全生命周期阶段 (seeds/lifecycle_stages.csv) as of the month → projectStatus.
STATUS_CODES: dict[str, str | None] = {
    "招商落地": "identification",  # 谋划 / 招商: the decision to develop the project
    "前期审批": "preparation",  # 前期手续: feasibility, approvals, land, planning
    "开工建设": "implementation",
    "入库纳统": "implementation",  # under construction and in the FAI statistics (入统)
    "竣工验收": "completion",
    "投产达效": "maintenance",  # in operation: OC4IDS's maintenance, "also called operation"
    "待核实": None,  # left the lists unexplained: what it is now is not known
}

# 建设性质 (seeds/construction_types.csv) → projectType.
TYPE_CODES: dict[str, str | None] = {
    "新建": "construction",
    "扩建": "expansion",
    "改建": "rehabilitation",
    "续建": None,  # continuing from an earlier year: says nothing of the asset
}

# The project owner (项目法人): CoST IDS's "project owner", OC4IDS's public authority.
OWNER_ROLE = "publicAuthority"
PROGRESS_METRIC = "financialProgress"  # metricID.csv
PERCENT_UNIT = {"name": "percent", "id": "P1", "scheme": "UNCEFACT"}  # UN/CEFACT Rec. 20
CURRENCY = "CNY"


@dataclass
class Unmapped:
    """Values that went out without a code, per field (行业领域, 阶段, 建设性质), counted in
    projects."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def code(self, table: dict[str, str | None], what: str, value: str | None) -> str | None:
        """`value`'s code in `table`, or None, counting the value under `what` when it has
        none. An empty value is not counted: there is nothing to map."""
        if value is None or not value.strip():
            return None
        code = table.get(value.strip())
        if code is None:
            self.counts.setdefault(what, Counter())[value.strip()] += 1
        return code

    def describe(self) -> list[str]:
        """One line per field, most frequent value first: `行业领域: 城建 (3), 社会事业 (1)`."""
        return [
            f"{what}: " + ", ".join(f"{value} ({n})" for value, n in counts.most_common())
            for what, counts in self.counts.items()
        ]
