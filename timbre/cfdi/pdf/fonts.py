"""Our font, parsed once per process.

``FPDF.add_font`` re-reads the TTF and rebuilds its width and glyph tables on every document
(~4 ms for two faces). Instead each face is parsed once into a template ``TTFFont``; every
document gets a clone that shares the read-only tables (widths, cmap, glyph ids) and owns what
fpdf2 mutates while writing: the ``SubsetMap`` of glyphs used, the font descriptor (which
becomes one of the document's PDF objects) and a lazily-read fontTools ``TTFont`` (only touched
if the document is written by fpdf2's stock producer instead of ``embed.FontEmbedder``). fpdf2
reads fonts from ``fpdf.fonts`` only, so a clone is indistinguishable from an ``add_font`` result.
"""

from __future__ import annotations

import copy
import threading
from io import BytesIO
from pathlib import Path

from fontTools import ttLib  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FAMILY = "timbresans"
FONT_DIR = Path(__file__).parent / "fonts"
_FILES = {"": "DejaVuSansCondensed.ttf", "B": "DejaVuSansCondensed-Bold.ttf"}

MISSING_WIDTH = 600.0  # DejaVu's .notdef advance, in 1/1000 em; only reached for unsupported text


class _Face:
    __slots__ = ("data", "template")

    def __init__(self, data: bytes, template: TTFFont) -> None:
        self.data = data
        self.template = template


_faces: dict[str, _Face] = {}
_lock = threading.Lock()


def _load() -> dict[str, _Face]:
    if _faces:
        return _faces
    with _lock:
        if not _faces:
            scratch = FPDF()
            for style, name in _FILES.items():
                path = FONT_DIR / name
                scratch.add_font(FAMILY, style, path)
                template = scratch.fonts[f"{FAMILY}{style}"]
                assert isinstance(template, TTFFont)
                template.ttfont.close()  # the template never writes; clones get their own
                _faces[style] = _Face(path.read_bytes(), template)
    return _faces


def install(pdf: FPDF) -> None:
    """Make the regular and bold faces available to ``pdf`` under ``FAMILY``."""
    for face in _load().values():
        font = copy.copy(face.template)
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(
            BytesIO(face.data), recalcTimestamp=False, recalcBBoxes=False, lazy=True
        )
        # fpdf2 registers the descriptor as a PDF object of the document being written (it
        # sets its id and font name): each document needs its own.
        font.desc = copy.copy(face.template.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font


def is_ours(fontkey: str) -> bool:
    return fontkey in {f"{FAMILY}{style}" for style in _FILES}


def font_bytes(fontkey: str) -> bytes:
    """The TTF file of one of our faces, by fpdf2 font key (``timbresans``, ``timbresansB``)."""
    return _load()[fontkey.removeprefix(FAMILY)].data


def widths(bold: bool) -> dict[int, float]:
    """Advance widths by code point, in 1/1000 em (fpdf2's own table; do not mutate)."""
    widths: dict[int, float] = _load()["B" if bold else ""].template.cw
    return widths


def _supported() -> frozenset[str]:
    faces = _load().values()
    common = set.intersection(*(set(face.template.cmap) for face in faces))
    return frozenset(chr(cp) for cp in common) | {"\n"}


SUPPORTED: frozenset[str] = _supported()
