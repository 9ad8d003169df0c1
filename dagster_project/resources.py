"""The settings a run needs, as a Dagster resource (SPEC §8: flags > XMK_* > defaults)."""

from __future__ import annotations

import dagster as dg

from dagster_project.settings import Paths, resolve_paths


class XmkSettings(dg.ConfigurableResource):
    """Where raw/, the warehouse and the outputs live. Unset fields fall back to the
    XMK_RAW_DIR / XMK_WAREHOUSE_DIR / XMK_OUT_DIR environment variables, read when the
    run starts, then to ./raw, ./warehouse, ./out."""

    raw_dir: str | None = None
    warehouse_dir: str | None = None
    out_dir: str | None = None

    def paths(self) -> Paths:
        return resolve_paths(self.raw_dir, self.warehouse_dir, self.out_dir)
