"""How the 通报 is issued: 发文单位, 文号, 签发日期, 落款, 抄送 and the 下一步工作要求, from
the optional `raw/reference/bulletin.toml` of the deployment, with defaults that read as a
发改委's own:

    issuer = "××市发展和改革委员会"
    doc_number = "×发改投资〔{year}〕{month}号"   # {year}, {month}: the bulletin's month
    signature = "××市发展和改革委员会"            # 落款, by default the issuer
    copy_to = "市政府办公室"
    next_steps = \"\"\"
    一是……
    二是……
    \"\"\"

    [months."2026-10"]                              # one month's own number or date
    doc_number = "×发改投资〔2026〕37号"
    issue_date = 2026-11-12

Without an `issue_date` the 通报 is dated the day it is first written, and keeps that date
while what it says does not change (the writer remembers it)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dagster_project.publish.bulletin.document import Issuance

CONFIG_FILE = "bulletin.toml"
DEFAULT_ISSUER = "市发展和改革委员会"
DEFAULT_DOC_NUMBER = "发改投资通〔{year}〕{month}号"
DEFAULT_COPY_TO = "市政府办公室；各县（市、区）人民政府，各开发区管委会。"
DEFAULT_NEXT_STEPS = (
    "一是紧盯年度目标。各地要对照序时进度，逐项目倒排工期，确保年度计划完成率不低于序时进度。",
    "二是加快开工入统。已开工未入统项目要逐一落实入统条件，达到入统标准的当月入统。",
    "三是强化问题督办。红色预警项目和升级督办问题，责任单位要明确办结时限，按期办结销号。",
    "四是提高报送质量。各地要在每月5日前报送项目清单，数据质量问题在规定时限内更正重报。",
)


class IssuanceError(ValueError):
    """bulletin.toml cannot be read; the message names the file and the key."""


@dataclass(frozen=True)
class IssuanceConfig:
    issuer: str = DEFAULT_ISSUER
    doc_number: str = DEFAULT_DOC_NUMBER
    signature: str | None = None  # 落款: the issuer unless said otherwise
    copy_to: str = DEFAULT_COPY_TO
    next_steps: tuple[str, ...] = DEFAULT_NEXT_STEPS
    months: tuple[tuple[str, dict], ...] = ()  # ("2026-10", {"doc_number":…, "issue_date":…})

    def issuance(self, period_month: date, written_on: date) -> Issuance:
        own = dict(self.months).get(f"{period_month:%Y-%m}", {})
        number = own.get("doc_number", self.doc_number)
        issuer = own.get("issuer", self.issuer)
        return Issuance(
            issuer=issuer,
            doc_number=number.format(year=period_month.year, month=period_month.month),
            issue_date=own.get("issue_date", written_on),
            signature=own.get("signature", self.signature or issuer),
            copy_to=own.get("copy_to", self.copy_to),
        )

    def has_issue_date(self, period_month: date) -> bool:
        return "issue_date" in dict(self.months).get(f"{period_month:%Y-%m}", {})


_TEXT_KEYS = ("issuer", "doc_number", "signature", "copy_to")


def read_issuance_config(reference_dir: Path) -> IssuanceConfig:
    path = reference_dir / CONFIG_FILE
    if not path.is_file():
        return IssuanceConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise IssuanceError(f"{path}: not readable as TOML ({exc})") from exc
    unknown = set(data) - {*_TEXT_KEYS, "next_steps", "months"}
    if unknown:
        raise IssuanceError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    values: dict = {}
    for key in _TEXT_KEYS:
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise IssuanceError(f"{path}: {key} must be a non-empty text")
            values[key] = data[key].strip()
    if "doc_number" in values:
        _check_number(path, "doc_number", values["doc_number"])
    if "next_steps" in data:
        if not isinstance(data["next_steps"], str):
            raise IssuanceError(f"{path}: next_steps must be a text (one paragraph a line)")
        lines = tuple(line.strip() for line in data["next_steps"].splitlines() if line.strip())
        values["next_steps"] = lines
    months = []
    for month, own in (data.get("months") or {}).items():
        where = f'{path}: [months."{month}"]'
        try:
            date.fromisoformat(f"{month}-01")
        except ValueError as exc:
            raise IssuanceError(f"{where}: the month must read YYYY-MM") from exc
        if not isinstance(own, dict):
            raise IssuanceError(f"{where}: must be a table")
        bad = set(own) - {*_TEXT_KEYS, "issue_date"}
        if bad:
            raise IssuanceError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        if "issue_date" in own and not isinstance(own["issue_date"], date):
            raise IssuanceError(f"{where}: issue_date must be a date such as 2026-11-12")
        if "doc_number" in own:
            _check_number(Path(where), "doc_number", own["doc_number"])
        months.append((month, dict(own)))
    return IssuanceConfig(**values, months=tuple(months))


def _check_number(path: Path, key: str, template: str) -> None:
    try:
        template.format(year=2026, month=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise IssuanceError(f"{path}: {key} may use only {{year}} and {{month}} ({exc})") from exc
