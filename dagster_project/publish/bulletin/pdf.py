"""The 通报's PDF: the Word document converted by LibreOffice headless (Debian's
libreoffice-writer-nogui), A4 as the document says, its fonts embedded. The conversion
runs in a private profile directory, so a desktop LibreOffice open on the same machine
neither blocks it nor is touched by it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dagster_project.publish.render.files import write_atomically

CONVERT_TIMEOUT_S = 180


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine, or it failed; the message says what to do."""


def office_command() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, pdf: Path) -> None:
    """Write `pdf` from `docx`. Raises PdfUnavailable with the reason."""
    office = office_command()
    if office is None:
        raise PdfUnavailable(
            "no LibreOffice (soffice) on PATH: the PDF of the 通报 was not written; "
            "as root, apt-get install libreoffice-writer-nogui fonts-noto-cjk"
        )
    with tempfile.TemporaryDirectory(prefix="xmk-pdf-") as scratch:
        work = Path(scratch)
        source = work / "bulletin.docx"
        shutil.copyfile(docx, source)
        env = {**os.environ, "HOME": str(work)}
        command = [
            office,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=CONVERT_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(
                f"LibreOffice did not convert {docx.name} within {CONVERT_TIMEOUT_S} s"
            ) from exc
        made = work / "bulletin.pdf"
        if done.returncode != 0 or not made.is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(
                f"LibreOffice could not convert {docx.name} (exit {done.returncode}: {detail[0]})"
            )
        write_atomically(pdf, made.read_bytes())
