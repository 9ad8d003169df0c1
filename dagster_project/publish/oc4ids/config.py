"""What a deployment says of its OC4IDS publication, in the optional
`raw/reference/oc4ids.toml`:

    prefix = "oc4ids-ab12cd"          # the project identifier prefix the OC4IDS Helpdesk
                                      # (data@open-contracting.org) assigned to the city
    publisher = "××市发展和改革委员会"  # default: the 通报's issuer (bulletin.toml)
    uri = "https://data.example.gov.cn/oc4ids/{month}.json"  # where the package is kept;
                                      # {month} is YYYY-MM; default: the written file's URI
    license = "https://creativecommons.org/licenses/by/4.0/"  # optional

OC4IDS project ids must be globally unique and begin with a registered prefix. Until the
city has one, the ids use PLACEHOLDER_PREFIX and the export says so each time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dagster_project.publish.bulletin.issuance import IssuanceError, read_issuance_config

CONFIG_FILE = "oc4ids.toml"
PLACEHOLDER_PREFIX = "oc4ids-000000"
_PREFIX = re.compile(r"oc4ids-[a-z0-9]{6}")
# An absolute URI (RFC 3986): a scheme, a colon, and no white space.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_KEYS = ("prefix", "publisher", "uri", "license")


class ConfigError(ValueError):
    """oc4ids.toml (or the bulletin.toml it takes the publisher from) cannot be used; the
    message names the file and the key."""


@dataclass(frozen=True)
class Oc4idsConfig:
    publisher: str
    prefix: str = PLACEHOLDER_PREFIX
    uri: str | None = None  # a template with {month}
    license: str | None = None

    @property
    def prefix_is_placeholder(self) -> bool:
        return self.prefix == PLACEHOLDER_PREFIX

    def package_uri(self, month: str, written_to: Path) -> str:
        return self.uri.format(month=month) if self.uri else written_to.resolve().as_uri()


def read_oc4ids_config(reference_dir: Path) -> Oc4idsConfig:
    path = reference_dir / CONFIG_FILE
    data: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: not readable as TOML ({exc})") from exc
    if unknown := set(data) - set(_KEYS):
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: {key} must be a non-empty text")
    values = {key: value.strip() for key, value in data.items()}
    if "prefix" in values and not _PREFIX.fullmatch(values["prefix"]):
        raise ConfigError(
            f"{path}: prefix must be the one the OC4IDS Helpdesk assigned, such as "
            f"oc4ids-ab12cd, not {values['prefix']!r}"
        )
    if "uri" in values:
        _check_uri(path, "uri", values["uri"].replace("{month}", "2026-10"))
        try:
            values["uri"].format(month="2026-10")
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{path}: uri may use only {{month}} ({exc})") from exc
    if "license" in values:
        _check_uri(path, "license", values["license"])
    if "publisher" not in values:
        try:
            values["publisher"] = read_issuance_config(reference_dir).issuer
        except IssuanceError as exc:
            raise ConfigError(str(exc)) from exc
    return Oc4idsConfig(**values)


def _check_uri(path: Path, key: str, value: str) -> None:
    if not _URI.fullmatch(value):
        raise ConfigError(f"{path}: {key} must be an absolute URI (https://…), not {value!r}")
