"""Writing a published file: all at once or not at all, under a name any filesystem takes."""

from __future__ import annotations

import os
import re
from pathlib import Path

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) beside `path` and rename it onto `path`: a reader, a
    mail attachment or a download never sees half a file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def safe_file_name(text: str) -> str:
    """`text` as one file or folder name: path separators, characters Windows refuses and
    control characters become _, no leading or trailing space or dot."""
    return _UNSAFE_NAME.sub("_", text).strip(" .") or "_"
