"""A thin, fast drawing surface over fpdf2: positioned text, wrapping, boxes.

fpdf2's ``cell``/``multi_cell`` cost 50 µs to 1.4 ms per call (they build styled fragments and
line-break objects); an invoice issues hundreds of text runs, so text is placed with ``text()``
and wrapped here with the font's width table. Coordinates are millimetres from the top-left;
``y`` is always the top of a line box, never a baseline.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from timbre.cfdi.pdf import fonts
from timbre.cfdi.pdf.branding import RGB
from timbre.cfdi.pdf.embed import FontEmbedder

PT = 25.4 / 72  # millimetres per point
BLACK: RGB = (0, 0, 0)


class Canvas(FPDF):
    """A US-letter page set (Mexican invoices are printed on letter paper) with our two fonts."""

    LINE = 1.22  # line height as a multiple of the font size

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="letter")
        self.set_auto_page_break(auto=False)
        self.set_margins(0, 0, 0)
        self.set_creator("Timbre")
        fonts.install(self)
        self._size = 8.0
        self._bold = False
        self._cw: dict[int, float] = {}
        self.use(8)

    def pdf_bytes(self) -> bytes:
        """The finished document, fonts embedded from the per-process cache (see ``embed``)."""
        return bytes(self.output(output_producer_class=FontEmbedder))

    # -- state -------------------------------------------------------------------------------

    def use(self, size: float, *, bold: bool = False, color: RGB = BLACK) -> None:
        """Select font size (points), weight and text colour for what follows."""
        self.set_font(fonts.FAMILY, "B" if bold else "", size)
        self.set_text_color(*color)
        self._size = size
        self._bold = bold
        self._cw = fonts.widths(bold)

    def line_height(self, size: float | None = None) -> float:
        return (size or self._size) * PT * self.LINE

    # -- text --------------------------------------------------------------------------------

    def width(self, value: str) -> float:
        """Width in mm of ``value`` in the current font, as fpdf2 would measure it."""
        cw = self._cw
        missing = fonts.MISSING_WIDTH
        return sum(cw.get(ord(ch), missing) for ch in value) * self._size * PT / 1000

    def put(self, x: float, y: float, value: str) -> None:
        """Write ``value`` with its left edge at ``x`` on the line whose top is ``y``."""
        self._put(x, y, _one_line(value))

    def put_right(self, x_right: float, y: float, value: str) -> None:
        line = _one_line(value)
        self._put(x_right - self.width(line), y, line)

    def put_center(self, x_center: float, y: float, value: str) -> None:
        line = _one_line(value)
        self._put(x_center - self.width(line) / 2, y, line)

    def _put(self, x: float, y: float, line: str) -> None:
        if line:
            # text() wants the baseline; DejaVu's ascent is 0.93 em.
            self.text(x, y + self._size * PT * 0.95, line)

    def fit(self, value: str, width: float) -> str:
        """``value`` cut with an ellipsis so it fits ``width``."""
        value = clean(value)
        if self.width(value) <= width:
            return value
        while value and self.width(value + "…") > width:
            value = value[:-1]
        return value + "…"

    def wrap(self, value: str, width: float) -> list[str]:
        """Break ``value`` into lines no wider than ``width``; words too long are cut anywhere
        (sellos are 344 characters of base64 without a space)."""
        lines: list[str] = []
        for paragraph in clean(value).split("\n"):
            lines.extend(self._wrap_paragraph(paragraph, width))
        return lines

    def paragraph(self, x: float, y: float, width: float, value: str) -> float:
        """Write wrapped ``value``; return the y below it."""
        step = self.line_height()
        for line in self.wrap(value, width):
            self.put(x, y, line)
            y += step
        return y

    def _wrap_paragraph(self, paragraph: str, width: float) -> list[str]:
        scale = self._size * PT / 1000
        limit = width / scale  # compare in font units, no float division per character
        cw = self._cw
        missing = fonts.MISSING_WIDTH
        space = cw.get(32, missing)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = sum(cw.get(ord(ch), missing) for ch in word)
            extra = w + (space if current else 0)
            if used + extra <= limit:
                current.append(word)
                used += extra
                continue
            if current:
                lines.append(" ".join(current))
                current, used = [], 0.0
            if w <= limit:
                current, used = [word], w
                continue
            # A word wider than the line: cut it character by character.
            chunk_start, chunk_width = 0, 0.0
            for i, ch in enumerate(word):
                cw_ch = cw.get(ord(ch), missing)
                if chunk_width + cw_ch > limit and i > chunk_start:
                    lines.append(word[chunk_start:i])
                    chunk_start, chunk_width = i, 0.0
                chunk_width += cw_ch
            current, used = [word[chunk_start:]], chunk_width
        if current or not lines:
            lines.append(" ".join(current))
        return lines

    # -- shapes ------------------------------------------------------------------------------

    def box(self, x: float, y: float, w: float, h: float, fill: RGB) -> None:
        self.set_fill_color(*fill)
        self.rect(x, y, w, h, style="F")

    def frame(self, x: float, y: float, w: float, h: float, color: RGB, width: float = 0.2) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.rect(x, y, w, h, style="D")

    def hline(self, x1: float, x2: float, y: float, color: RGB, width: float = 0.2) -> None:
        self.set_draw_color(*color)
        self.set_line_width(width)
        self.line(x1, y, x2, y)


def clean(value: str) -> str:
    """NFC text with characters our font lacks replaced by ``?`` and control characters dropped."""
    value = unicodedata.normalize("NFC", value)
    if fonts.SUPPORTED.issuperset(value):
        return value
    return "".join(ch if ch in fonts.SUPPORTED else _substitute(ch) for ch in value)


def _one_line(value: str) -> str:
    return clean(value).replace("\n", " ")


def _substitute(ch: str) -> str:
    if ch.isspace():
        return " "
    return "" if unicodedata.category(ch)[0] == "C" else "?"
