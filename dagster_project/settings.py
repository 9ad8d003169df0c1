"""Where things live (SPEC §8). Read when a command or a run starts, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


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
