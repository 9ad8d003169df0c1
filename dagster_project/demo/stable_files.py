"""Byte-stable output: the same demo arguments give the same bytes on every run.

openpyxl stamps the document properties and every zip entry with the current time; both
are pinned here. A file whose bytes are unchanged is not rewritten, and its modification
time — the "received" time the pipeline reads — is set explicitly either way.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


class _PinnedTimeZip(ZipFile):
    """A zip whose entries all carry ZIP_ENTRY_TIME instead of the time of writing."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            info = ZipInfo(zinfo_or_arcname, date_time=ZIP_ENTRY_TIME)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # Worksheets arrive as temporary files, which would lend the entry their mtime.
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(arcname or os.path.basename(filename), data, compress_type, compresslevel)


def workbook_bytes(wb: Workbook, stamp: datetime) -> bytes:
    """The .xlsx bytes with created/modified set to `stamp` (the document properties hold
    UTC without a zone)."""
    utc = stamp.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    wb.properties.created = utc
    wb.properties.modified = utc
    wb.properties.creator = wb.properties.last_modified_by = "xmzx"
    buffer = io.BytesIO()
    with _PinnedTimeZip(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
    return buffer.getvalue()


def write_if_changed(path: Path, data: bytes, received: datetime) -> bool:
    """Write `data` unless the file already holds it; set mtime to `received`. Returns
    whether the bytes were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    changed = not (path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data)
    if changed:
        tmp = path.with_name(f".{path.name}.tmp")  # hidden from the file sensor
        tmp.write_bytes(data)
        os.replace(tmp, path)
    stamp = received.timestamp()
    os.utime(path, (stamp, stamp))
    return changed
