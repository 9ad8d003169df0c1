"""Where things live (SPEC §8). Read when a command or a run starts, never at import."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# The city's clock: schedules, log lines and the times xmk prints.
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    warehouse_dir: Path
    out_dir: Path

    @property
    def warehouse_db(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "published.duckdb"

    @property
    def reference_dir(self) -> Path:
        return self.raw_dir / "reference"


def resolve_paths(
    raw: str | os.PathLike | None = None,
    warehouse: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
) -> Paths:
    """A flag wins over its environment variable, which wins over the default."""
    return Paths(
        raw_dir=Path(raw or os.environ.get("XMK_RAW_DIR") or "raw").resolve(),
        warehouse_dir=Path(
            warehouse or os.environ.get("XMK_WAREHOUSE_DIR") or "warehouse"
        ).resolve(),
        out_dir=Path(out or os.environ.get("XMK_OUT_DIR") or "out").resolve(),
    )


def command_name() -> str:
    """`xmk` as the user can type it again: what the checkout's `./xmk` wrapper says it
    was called as (XMK_COMMAND), else `xmk` when that is the one on PATH, else its path."""
    if named := os.environ.get("XMK_COMMAND"):
        return named
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("xmk")
    if argv0.name != "xmk":
        return "xmk"
    on_path = shutil.which("xmk")
    if on_path and Path(on_path).resolve() == argv0.resolve():
        return "xmk"
    return str(argv0)
