"""The portal's settings: the same raw/, warehouse and out folders as `xmk`, plus its own
state folder (accounts, sessions, uploads awaiting confirmation, the audit log), which is
not derived from raw/ and survives a warehouse rebuild."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from dagster_project.settings import Paths, resolve_paths

PORTAL_DIR_ENV = "XMK_PORTAL_DIR"
MAX_UPLOAD_ENV = "XMK_PORTAL_MAX_UPLOAD_MB"
WEEKLY_DEADLINE_ENV = "XMK_WEEKLY_DEADLINE"
DEFAULT_MAX_UPLOAD_MB = 20
# SPEC §9: the weekly 已开工未入统 return is due on Monday at noon (of the week after).
DEFAULT_WEEKLY_DEADLINE = (0, time(12, 0))  # (weekday, Monday = 0; time)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class PortalConfig:
    paths: Paths
    state_dir: Path
    max_upload_bytes: int
    weekly_deadline: tuple[int, time]
    # Behind an https proxy the session cookie is marked Secure (XMK_PORTAL_HTTPS=true).
    https: bool = False

    @property
    def users_db(self) -> Path:
        return self.state_dir / "users.sqlite"

    @property
    def uploads_dir(self) -> Path:
        return self.state_dir / "uploads"

    @property
    def audit_log(self) -> Path:
        return self.state_dir / "audit.log"

    @classmethod
    def from_env(
        cls,
        raw: str | None = None,
        warehouse: str | None = None,
        out: str | None = None,
        state: str | None = None,
        environ: dict | None = None,
    ) -> PortalConfig:
        environ = os.environ if environ is None else environ
        mb_text = (environ.get(MAX_UPLOAD_ENV) or "").strip()
        if mb_text and not (mb_text.isdigit() and 0 < int(mb_text) <= 200):
            raise ValueError(f"{MAX_UPLOAD_ENV} must be megabytes from 1 to 200, not {mb_text!r}")
        mb = int(mb_text) if mb_text else DEFAULT_MAX_UPLOAD_MB
        return cls(
            paths=resolve_paths(raw, warehouse, out),
            state_dir=Path(state or environ.get(PORTAL_DIR_ENV) or "portal").resolve(),
            max_upload_bytes=mb * 2**20,
            weekly_deadline=weekly_deadline(environ.get(WEEKLY_DEADLINE_ENV)),
            https=(environ.get("XMK_PORTAL_HTTPS") or "").strip().lower() in ("1", "true", "yes"),
        )


def weekly_deadline(text: str | None) -> tuple[int, time]:
    """`mon 12:00` (the default), `tue 09:30`, …: when a week's return is due, in the week
    after it."""
    if not text or not text.strip():
        return DEFAULT_WEEKLY_DEADLINE
    parts = text.strip().lower().split()
    try:
        day = _WEEKDAYS[parts[0][:3]]
        hour, minute = (int(p) for p in parts[1].split(":"))
        return day, time(hour, minute)
    except (KeyError, IndexError, ValueError):
        raise ValueError(
            f"{WEEKLY_DEADLINE_ENV} must look like 'mon 12:00', not {text!r}"
        ) from None
