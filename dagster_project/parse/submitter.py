"""Who sent a file: the region named by the file name or by the 填报单位 title rows.

Both are checked against the regions reference. When they disagree the file is
refused — a wrong guess would put one county's projects under another's name. A file the
portal received is its account's region's (confirm_submitter): nothing is guessed, and
title rows naming another unit refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dagster_project.parse.guards import FileRejected

_CODE_IN_NAME = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_SUBMITTER_LINE = re.compile(r"(填报|报送|上报)单位[:：]?\s*([^\s:：]+)")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    aliases: tuple[str, ...]


class RegionIndex:
    """Regions by code and by every name they go by."""

    def __init__(self, regions: Iterable[dict]):
        self.by_code: dict[str, Region] = {}
        self._names: list[tuple[str, str]] = []  # (name or alias, code), longest first
        for row in regions:
            aliases = tuple(a for a in (row.get("aliases") or "").split("|") if a.strip())
            region = Region(str(row["region_code"]), row["region_name"], aliases)
            self.by_code[region.code] = region
            for n in (region.name, *aliases):
                self._names.append((n.strip(), region.code))
        self._names.sort(key=lambda nc: -len(nc[0]))

    def named_in(self, text: str) -> set[str]:
        """Codes of the regions whose name or alias appears in text; a name inside a
        longer matched name (新区 inside 高新区) does not count."""
        taken: list[tuple[int, int]] = []
        found: set[str] = set()
        for name, code in self._names:
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(s <= start and end <= e for s, e in taken):
                    taken.append((start, end))
                    found.add(code)
                start = text.find(name, start + 1)
        return found

    def from_file_name(self, stem: str) -> set[str]:
        codes = {c for c in _CODE_IN_NAME.findall(stem) if c in self.by_code}
        return codes or self.named_in(stem)

    def from_title(self, title_lines: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for line in title_lines:
            for m in _SUBMITTER_LINE.finditer(line):
                found |= self.named_in(m.group(2))
        return found


def recognise_submitter(index: RegionIndex, file_stem: str, title_lines: list[str]) -> str:
    """The submitter's region code, or FileRejected with a reason the clerk can act on."""
    unknown_codes = [c for c in _CODE_IN_NAME.findall(file_stem) if c not in index.by_code]
    by_name = index.from_file_name(file_stem)
    by_title = index.from_title(title_lines)
    if len(by_name) > 1:
        raise FileRejected(
            f"文件名“{file_stem}”同时指向多个报送单位（{_names(index, by_name)}），"
            "请一个单位一个文件 [ambiguous submitter in file name]"
        )
    if len(by_title) > 1:
        raise FileRejected(
            f"表头“填报单位”指向多个单位（{_names(index, by_title)}），"
            "请一个单位一个文件 [ambiguous submitter in title rows]"
        )
    if by_name and by_title and by_name != by_title:
        raise FileRejected(
            f"文件名表明报送单位为{_names(index, by_name)}，但表头“填报单位”为"
            f"{_names(index, by_title)}，两者不一致，请核对后重新报送 [submitter mismatch]"
        )
    found = by_name or by_title
    if not found:
        hint = f"（文件名中的代码{unknown_codes[0]}不在区划表中）" if unknown_codes else ""
        raise FileRejected(
            f"无法识别报送单位{hint}：请按“区划代码_单位名称.xlsx”命名文件，"
            "或在表头填写“填报单位：…” [submitter not recognised]"
        )
    return next(iter(found))


def confirm_submitter(index: RegionIndex, region_code: str, title_lines: list[str]) -> str:
    """The portal account's region as the submitter, or FileRejected when the regions
    reference does not know it or the 填报单位 title rows name another unit. The file
    name is not looked at: the portal chose it."""
    if region_code not in index.by_code:
        raise FileRejected(
            f"报送账号所属单位代码{region_code}不在区划表中，请联系市项目中心核对账号 "
            "[portal account's region not in the regions reference]"
        )
    by_title = index.from_title(title_lines)
    if by_title and by_title != {region_code}:
        raise FileRejected(
            f"报送账号所属单位为{_names(index, {region_code})}，但表头“填报单位”为"
            f"{_names(index, by_title)}，两者不一致，请核对后重新报送 "
            "[submitter differs from the portal account]"
        )
    return region_code


def _names(index: RegionIndex, codes: set[str]) -> str:
    return "、".join(sorted(index.by_code[c].name for c in codes))
