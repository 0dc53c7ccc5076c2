"""The raw contents of a PDF: its text (poppler's `pdftotext -layout`) and the QR codes printed on its first
page (rendered with `pdftoppm`, decoded with zbar's `zbarimg`). Both tools are Debian packages
(poppler-utils, zbar-tools, see scripts/system-deps.sh); each run has a time limit and works in a private
temporary directory, so a hostile PDF costs at most a few seconds and leaves nothing behind.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

__all__ = ["PdfToolMissing", "PdfUnreadable", "pdf_text", "qr_codes"]

TIMEOUT_SECONDS = 20
RENDER_DPI = "200"  # SAT's QR is about 3 cm wide: 200 dpi gives zbar ~8 pixels per module


class PdfUnreadable(Exception):
    """poppler could not open the file as a PDF (or took too long)."""


class PdfToolMissing(Exception):
    """poppler-utils or zbar-tools is not installed on this server."""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except FileNotFoundError as exc:
        raise PdfToolMissing(f"{args[0]} is not installed (Debian: poppler-utils, zbar-tools)") from exc
    except subprocess.TimeoutExpired as exc:
        raise PdfUnreadable(f"{args[0]} took longer than {TIMEOUT_SECONDS} s") from exc


def pdf_text(data: bytes) -> str:
    """The text of every page, laid out as printed (a table's row stays on one line)."""
    with tempfile.TemporaryDirectory(prefix="timbre-pdf-") as work:
        folder = Path(work)
        (folder / "in.pdf").write_bytes(data)
        done = _run(["pdftotext", "-layout", "-enc", "UTF-8", "in.pdf", "out.txt"], folder)
        if done.returncode != 0:
            raise PdfUnreadable(done.stderr.decode(errors="replace").strip()[:200])
        return (folder / "out.txt").read_text(encoding="utf-8", errors="replace")


def qr_codes(data: bytes) -> list[str]:
    """The contents of every QR code on the first page (none found: an empty list)."""
    with tempfile.TemporaryDirectory(prefix="timbre-pdf-") as work:
        folder = Path(work)
        (folder / "in.pdf").write_bytes(data)
        done = _run(["pdftoppm", "-f", "1", "-l", "1", "-r", RENDER_DPI, "-gray", "-png", "-singlefile",
                     "in.pdf", "page"], folder)
        if done.returncode != 0:
            raise PdfUnreadable(done.stderr.decode(errors="replace").strip()[:200])
        found = _run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "page.png"], folder)
        # zbarimg exits 4 when the image holds no code; any other failure reads as "no QR" too.
        return [line.strip() for line in found.stdout.decode(errors="replace").splitlines() if line.strip()]
