"""What changed in raw/ since the sensor last looked, at the cost of a stat of the tree.

The sensor's cursor keeps, per top-level folder of raw/ (a month, an ISO week,
`reference/`), two digests: one of the (path, size, modification time) of its files and
one of their content. A tick stats every file and reads none; only a folder whose stat
digest moved is read and hashed. A run is requested when some folder's *content*
changed, under a run key made from the content digests of those folders: the same files
never start two runs (Dagster skips a run key it has already seen), and a file touched
or renamed without new bytes starts nothing.

Per folder rather than per file because Dagster stores the cursor with every tick: a
province's raw/ holds thousands of files but only a few dozen folders, and hashing the
one folder that moved (about 200 files, a few MB) costs milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

# A file modified less than this long ago may still be being copied: the next tick sees it.
SETTLE_SECONDS = 60
TOP_LEVEL = "."  # files directly under raw/ (the pipeline rejects them, with a reason)


@dataclass(frozen=True)
class FolderState:
    stat_digest: str
    content_digest: str


def scan(raw_dir: Path, settled_before: float | None = None) -> dict[str, dict[str, tuple]]:
    """{folder: {path under raw/: (size, mtime_ns)}} for every file the pipeline reads
    (the same names ingestion skips are skipped: hidden files, Excel's ~$ lock files,
    READMEs), leaving out files modified after `settled_before` (a Unix time)."""
    raw_dir = Path(raw_dir)
    listing: dict[str, dict[str, tuple]] = {}
    limit_ns = None if settled_before is None else int(settled_before * 1e9)
    for root, dirs, files in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not _watched(name):
                continue
            path = Path(root, name)
            try:
                st = path.stat()
            except FileNotFoundError:  # removed while we looked
                continue
            if limit_ns is not None and st.st_mtime_ns > limit_ns:
                continue
            rel = path.relative_to(raw_dir).as_posix()
            folder = rel.split("/", 1)[0] if "/" in rel else TOP_LEVEL
            listing.setdefault(folder, {})[rel] = (st.st_size, st.st_mtime_ns)
    return listing


def _watched(name: str) -> bool:
    return not (name.startswith(".") or name.startswith("~$") or name.lower().startswith("readme"))


def stat_digest(files: dict[str, tuple]) -> str:
    text = "\n".join(f"{rel}\t{size}\t{mtime}" for rel, (size, mtime) in sorted(files.items()))
    return _digest(text)


def content_digest(raw_dir: Path, files: dict[str, tuple]) -> str:
    """The folder's bytes, whatever the files are called: a file renamed or copied in
    again under another name is nothing new (ingestion sees the same submission)."""
    return _digest("\n".join(sorted(file_sha256(Path(raw_dir) / rel) for rel in files)))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Changes:
    folders: list[str]  # folders whose content changed (new folders included)
    state: dict[str, FolderState]  # the state to keep as the cursor
    run_key: str | None  # None when nothing changed

    @property
    def cursor(self) -> str:
        return encode_cursor(self.state)


def changes(raw_dir: Path, previous: dict[str, FolderState], listing) -> Changes:
    """Compare what is in raw/ now with what the cursor saw; reads only the folders
    whose files were added, removed, resized or touched."""
    state: dict[str, FolderState] = {}
    changed: list[str] = []
    for folder, files in sorted(listing.items()):
        stats = stat_digest(files)
        before = previous.get(folder)
        if before is not None and before.stat_digest == stats:
            state[folder] = before
            continue
        content = content_digest(raw_dir, files)
        state[folder] = FolderState(stats, content)
        if before is None or before.content_digest != content:
            changed.append(folder)
    key = None
    if changed:
        key = "raw-" + _digest("\n".join(f"{f}\t{state[f].content_digest}" for f in changed))[:32]
    return Changes(changed, state, key)


def encode_cursor(state: dict[str, FolderState]) -> str:
    return json.dumps(
        {"v": 1, "folders": {f: [s.stat_digest, s.content_digest] for f, s in state.items()}},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def decode_cursor(cursor: str | None) -> dict[str, FolderState]:
    """An unreadable or absent cursor is an empty one: every folder is new, so the first
    tick requests one run for what is already there."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
        return {f: FolderState(s, c) for f, (s, c) in data["folders"].items()}
    except (ValueError, KeyError, TypeError):
        return {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
