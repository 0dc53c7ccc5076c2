"""Tables that flow over pages: the header row repeats on every page, and a row taller than
a page (a very long description) is split between pages instead of overflowing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from timbre.cfdi.pdf.branding import RGB
from timbre.cfdi.pdf.page import BOTTOM, INK, MUTED, RULE, TOP, WIDTH, X0, Page

PAD = 1.1  # vertical padding inside a row
GUTTER = 1.4  # horizontal padding inside a cell


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    width: float  # mm; 0 takes what the other columns leave
    align: Literal["L", "R"] = "L"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text inside a cell, wrapped to the cell width."""

    text: str
    size: float = 7.3
    bold: bool = False
    muted: bool = False


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    size: float
    bold: bool
    color: RGB
    height: float


Cell = list[Span]


class Table:
    def __init__(self, page: Page, columns: list[Column], *, header_size: float = 6.6) -> None:
        self.page = page
        fixed = sum(col.width for col in columns)
        flexible = [col for col in columns if col.width == 0]
        share = (WIDTH - fixed) / len(flexible) if flexible else 0
        self.columns = columns
        self.widths = [col.width or share for col in columns]
        self.header_size = header_size
        self.header_h = page.c.line_height(header_size) + 2 * PAD + 0.4
        self.rows = 0

    def header(self) -> None:
        page, c = self.page, self.page.c
        c.box(X0, page.y, WIDTH, self.header_h, page.theme.primary)
        c.use(self.header_size, bold=True, color=page.theme.on_primary)
        x = X0
        for col, width in zip(self.columns, self.widths, strict=True):
            label = c.fit(col.label, width - 2 * GUTTER)
            if col.align == "R":
                c.put_right(x + width - GUTTER, page.y + PAD + 0.2, label)
            else:
                c.put(x + GUTTER, page.y + PAD + 0.2, label)
            x += width
        page.y += self.header_h

    def start(self, minimum_row: float = 8.0) -> None:
        """Draw the header where at least one short row fits under it."""
        self.page.ensure(self.header_h + minimum_row)
        self.header()

    def row(self, cells: list[Cell]) -> None:
        page = self.page
        columns = [self._lines(cell, width) for cell, width in zip(cells, self.widths, strict=True)]
        stripe = self.rows % 2 == 1
        self.rows += 1
        capacity = BOTTOM - TOP - 9 - self.header_h - 2 * PAD  # below a continuation header
        while True:
            height = max(sum(line.height for line in col) for col in columns)
            if page.y + height + 2 * PAD <= BOTTOM:
                self._draw(columns, height, stripe)
                return
            if height <= capacity:
                self._new_page()
                continue
            # Taller than a page: fill what is left here, carry the rest over.
            available = BOTTOM - page.y - 2 * PAD
            head, tail = [], []
            for col in columns:
                used, cut = 0.0, 0
                while cut < len(col) and used + col[cut].height <= available:
                    used += col[cut].height
                    cut += 1
                head.append(col[:cut])
                tail.append(col[cut:])
            if any(head):
                self._draw(head, max(sum(line.height for line in col) for col in head), stripe)
            self._new_page()
            columns = tail

    def _new_page(self) -> None:
        self.page.next_page()
        self.header()

    def _lines(self, cell: Cell, width: float) -> list[_Line]:
        c = self.page.c
        lines: list[_Line] = []
        for span in cell:
            if not span.text:
                continue
            color = MUTED if span.muted else INK
            c.use(span.size, bold=span.bold, color=color)
            height = c.line_height()
            lines.extend(
                _Line(text, span.size, span.bold, color, height)
                for text in c.wrap(span.text, width - 2 * GUTTER)
            )
        return lines

    def _draw(self, columns: list[list[_Line]], height: float, stripe: bool) -> None:
        page, c = self.page, self.page.c
        row_h = height + 2 * PAD
        if stripe:
            c.box(X0, page.y, WIDTH, row_h, page.theme.stripe)
        x = X0
        for col, lines, width in zip(self.columns, columns, self.widths, strict=True):
            y = page.y + PAD
            for line in lines:
                c.use(line.size, bold=line.bold, color=line.color)
                if col.align == "R":
                    c.put_right(x + width - GUTTER, y, line.text)
                else:
                    c.put(x + GUTTER, y, line.text)
                y += line.height
            x += width
        page.y += row_h
        c.hline(X0, X0 + WIDTH, page.y, RULE, 0.15)
