"""Our cached font embedding must draw exactly what fpdf2's own (per-document) embedding draws."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fpdf import FPDF

from timbre.cfdi.pdf.canvas import Canvas

LINES = [
    (False, "Factura F-1024 · Consultoría en sistemas: 1,234.56 MXN (IVA 16%)"),
    (True, "UN MIL CIENTO SESENTA PESOS 00/100 M.N. ÁÉÍÓÚ Ñ ü"),
    (False, "Beyond the base set: Őrség Łódź Şişli Ćevapi ™ № −"),
    (True, "Bold beyond it too: Ďábel Żółw ſ"),
]


def draw() -> Canvas:
    canvas = Canvas()
    canvas.add_page()
    y = 20.0
    for bold, text in LINES:
        canvas.use(11, bold=bold)
        canvas.put(15, y, text)
        y += 9
    return canvas


def rasterize(pdf: bytes, tmp_path: Path, name: str) -> bytes:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "96", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    return (tmp_path / f"{name}-1.ppm").read_bytes()


def test_pages_match_fpdf2_embedding_pixel_for_pixel(tmp_path: Path) -> None:
    ours = draw().pdf_bytes()
    reference = bytes(FPDF.output(draw()))  # fpdf2's stock producer subsets the font itself
    assert rasterize(ours, tmp_path, "ours") == rasterize(reference, tmp_path, "reference")


def test_text_extracts_identically(tmp_path: Path) -> None:
    def extract(pdf: bytes) -> str:
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()

    ours = extract(draw().pdf_bytes())
    assert ours == extract(bytes(FPDF.output(draw())))
    for _, text in LINES:
        assert text in ours


def test_the_cached_program_is_shared_but_each_document_is_complete() -> None:
    first, second = draw().pdf_bytes(), draw().pdf_bytes()
    assert first.count(b"/FontFile2") == 2  # regular and bold, in every document
    assert second.count(b"/FontFile2") == 2
