"""Font embedding without per-document font subsetting.

fpdf2 subsets every TrueType font with fontTools each time a document is written: ~5 ms per
face, the largest single cost of an invoice. Our fonts are fixed, so the subset is computed once
per process instead: every PDF embeds the same font program (Latin-1 plus common punctuation,
~10 KB compressed per face) and only glyphs outside that base set make a new, cached variant.

``FontEmbedder`` is an fpdf2 ``OutputProducer`` (fpdf2's documented extension point,
``FPDF.output(output_producer_class=...)``) whose ``_add_fonts`` writes the same PDF objects as
fpdf2's own TrueType branch (Type0 font, CIDFontType2 descendant, descriptor, ToUnicode CMap,
CIDToGIDMap, FontFile2) from the cached program. fpdf2 is pinned; the tests compare the pages we
produce with the ones fpdf2's own embedding produces, pixel for pixel.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from fontTools import subset as ftsubset  # type: ignore[import-untyped]
from fontTools import ttLib
from fpdf.fonts import TTFFont
from fpdf.output import (
    CIDSystemInfo,
    OutputProducer,
    PDFExtGState,
    PDFFont,
    PDFFontStream,
    PDFType3Font,
    PDFXObject,
)
from fpdf.pattern import Pattern
from fpdf.syntax import Name, PDFArray, PDFContentStream

from timbre.cfdi.pdf import fonts

# Characters whose glyphs are always embedded, so most documents share one cached program.
BASE_CHARACTERS = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x100), 0x20AC, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D]
    + [0x2022, 0x2026]
)
_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class _Program:
    stream: PDFFontStream  # compressed once; each document embeds a shallow copy
    glyph_ids: dict[str, int]  # glyph name -> glyph id inside this program


_programs: OrderedDict[tuple[str, frozenset[str]], _Program] = OrderedDict()
_lock = threading.Lock()


def _program(font: TTFFont, glyph_names: frozenset[str]) -> _Program:
    base = frozenset(font.cmap[cp] for cp in BASE_CHARACTERS if cp in font.cmap)
    key = (font.fontkey, glyph_names - base)
    with _lock:
        cached = _programs.get(key)
        if cached is not None:
            _programs.move_to_end(key)
            return cached
    ttfont = ttLib.TTFont(BytesIO(fonts.font_bytes(font.fontkey)), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    # The options fpdf2 uses: keep the .notdef outline and the recommended glyphs.
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(base | glyph_names))
    subsetter.subset(ttfont)
    glyph_ids = {name: ttfont.getGlyphID(name) for name in base | glyph_names}
    out = BytesIO()
    ttfont.save(out)
    program = _Program(stream=PDFFontStream(contents=out.getvalue()), glyph_ids=glyph_ids)
    with _lock:
        _programs[key] = program
        while len(_programs) > _CACHE_SIZE:
            _programs.popitem(last=False)
    return program


class FontEmbedder(OutputProducer):
    """Writes the document like fpdf2 does, embedding fonts from the per-process cache."""

    def _add_fonts(
        self,
        image_objects_per_index: dict[int, PDFXObject],
        gfxstate_objs_per_name: dict[str, PDFExtGState],
        pattern_objs_per_name: dict[str, Pattern],
    ) -> dict[int, PDFFont | PDFType3Font]:
        objects: dict[int, PDFFont | PDFType3Font] = {}
        for font in sorted(self.fpdf.fonts.values(), key=lambda f: f.i):
            if not isinstance(font, TTFFont) or not fonts.is_ours(font.fontkey):
                raise TypeError(f"font {font.fontkey!r} was not installed by timbre.cfdi.pdf.fonts")
            objects[font.i] = self._embed(font)
        return objects

    def _embed(self, font: TTFFont) -> PDFFont:
        used = [(glyph, code) for glyph, code in font.subset.items() if glyph is not None]
        program = _program(font, frozenset(glyph.glyph_name for glyph, _ in used))
        name = f"MPDFAA+{font.name}"

        type0 = PDFFont(subtype="Type0", base_font=name, encoding="Identity-H")
        self._add_pdf_obj(type0, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=name,
            d_w=font.desc.missing_width,
            w=_widths({code: glyph.glyph_width for glyph, code in used}),
        )
        self._add_pdf_obj(cid_font, "fonts")
        type0.descendant_fonts = PDFArray([cid_font])

        to_unicode = PDFContentStream(_to_unicode_cmap(used), compress=True)
        self._add_pdf_obj(to_unicode, "fonts")
        type0.to_unicode = to_unicode

        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info

        descriptor = font.desc  # a per-document copy (fonts.install)
        descriptor.font_name = Name(name)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor

        cid_to_gid = bytearray(2 * 65536)  # 2-byte glyph id per 2-byte character code
        for glyph, code in used:
            gid = program.glyph_ids[glyph.glyph_name]
            cid_to_gid[2 * code] = gid >> 8
            cid_to_gid[2 * code + 1] = gid & 0xFF
        gid_map = PDFContentStream(bytes(cid_to_gid), compress=True)
        self._add_pdf_obj(gid_map, "fonts")
        cid_font.c_i_d_to_g_i_d_map = gid_map

        stream = copy.copy(program.stream)
        self._add_pdf_obj(stream, "fonts")
        descriptor.font_file2 = stream  # type: ignore[attr-defined]  # as fpdf2 itself does

        # fpdf2 clears these process-wide memo caches after writing each TrueType font.
        font.subset.pick.cache_clear()
        font.subset.get_glyph.cache_clear()
        return type0


def _widths(widths: dict[int, int]) -> str:
    """The CIDFont ``W`` array: runs of consecutive codes, ``first [w1 w2 ...]``."""
    parts: list[str] = []
    run: list[int] = []
    first = previous = -2
    for code in sorted(widths):
        if code != previous + 1 and run:
            parts.append(f"{first} [{' '.join(map(str, run))}]")
            run = []
        if not run:
            first = code
        run.append(widths[code])
        previous = code
    if run:
        parts.append(f"{first} [{' '.join(map(str, run))}]")
    return f"[{' '.join(parts)}]"


def _to_unicode_cmap(used: list[tuple[Any, int]]) -> bytes:
    """ToUnicode CMap so text can be searched and copied (Adobe Technical Note #5014)."""
    entries = [
        f"<{code:04X}> <{''.join(chr(cp) for cp in glyph.unicode).encode('utf-16-be').hex().upper()}>\n"
        for glyph, code in used
        if isinstance(glyph.unicode, tuple) and glyph.unicode
    ]
    blocks = "".join(
        f"{len(chunk)} beginbfchar\n{''.join(chunk)}endbfchar\n"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode("latin-1")
