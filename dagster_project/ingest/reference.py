"""Reference data: the deployment's own under raw/reference/, else the demo city's seeds."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REFERENCE_FILES = ("regions.csv", "department_leaders.csv")


def reference_file(raw_dir: Path, name: str) -> Path:
    """raw/reference/<name> when the deployment ships one, else the demo city's seed."""
    own = raw_dir / "reference" / name
    return own if own.is_file() else SEEDS_DIR / name


def load_reference(raw_dir: Path, name: str) -> tuple[list[dict], str]:
    """The rows of a reference file and a version (hash of the file) to tell when it
    changed."""
    data = reference_file(raw_dir, name).read_bytes()
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    return rows, hashlib.sha256(data).hexdigest()[:16]


def load_regions(raw_dir: Path) -> tuple[list[dict], str]:
    return load_reference(raw_dir, "regions.csv")
