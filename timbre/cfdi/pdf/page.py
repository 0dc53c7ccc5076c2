"""The page frame: geometry, colours, first-page and continuation headers, footer, watermark.

Sections ask ``Page.ensure(height)`` before drawing a block; when the block does not fit, the
current page is closed (footer, watermark) and a new one opened with the continuation header.
"""

from __future__ import annotations

from dataclasses import dataclass

from timbre.cfdi.pdf import logo
from timbre.cfdi.pdf.branding import (
    DEFAULT_PRIMARY,
    DEFAULT_SECONDARY,
    RGB,
    Branding,
    parse_color,
    readable_on,
    text_safe,
    tint,
)
from timbre.cfdi.pdf.canvas import PT, Canvas
from timbre.cfdi.pdf.document import Document
from timbre.cfdi.pdf.labels import Lang, labels_for, title_for

PAGE_W = 215.9
PAGE_H = 279.4
X0 = 12.0
X1 = PAGE_W - 12.0
WIDTH = X1 - X0
TOP = 11.0
BOTTOM = PAGE_H - 17.0  # content stops here; the footer lives below

MUTED: RGB = (96, 96, 96)
RULE: RGB = (205, 205, 205)
INK: RGB = (25, 25, 25)


@dataclass(frozen=True, slots=True)
class Theme:
    primary: RGB
    on_primary: RGB
    accent: RGB  # the primary colour, darkened if needed to read as text on white
    secondary: RGB
    tint: RGB  # pale primary for boxes
    stripe: RGB  # paler primary for alternate table rows

    @classmethod
    def from_branding(cls, branding: Branding) -> Theme:
        primary = parse_color(branding.primary_color, DEFAULT_PRIMARY)
        return cls(
            primary=primary,
            on_primary=readable_on(primary),
            accent=text_safe(primary),
            secondary=parse_color(branding.secondary_color, DEFAULT_SECONDARY),
            tint=tint(primary, 0.9),
            stripe=tint(primary, 0.96),
        )


class Page:
    """Drawing state shared by every section: canvas, document, labels, theme and the cursor."""

    def __init__(
        self,
        canvas: Canvas,
        doc: Document,
        branding: Branding,
        lang: Lang,
        watermark: str | None,
    ) -> None:
        self.c = canvas
        self.doc = doc
        self.branding = branding
        self.lang = lang
        self.t = labels_for(lang)
        self.theme = Theme.from_branding(branding)
        self.watermark = watermark
        self.title = title_for(doc.tipo, lang)
        self.y = TOP

    # -- flow --------------------------------------------------------------------------------

    def ensure(self, height: float) -> bool:
        """Open a new page unless ``height`` fits below the cursor; True if a page was opened."""
        if self.y + height <= BOTTOM:
            return False
        self.next_page()
        return True

    def next_page(self) -> None:
        self.close_page()
        self._open_page()
        self._continuation_header()

    def _open_page(self) -> None:
        self.c.add_page()
        # The team's secondary colour as a thin bar along the top edge of every page.
        self.c.box(0, 0, PAGE_W, 2.2, self.theme.secondary)
        self.y = TOP

    def close_page(self) -> None:
        self._footer()
        if self.watermark:
            self._watermark(self.watermark)

    def gap(self, mm: float = 3.0) -> None:
        self.y += mm

    # -- headers -----------------------------------------------------------------------------

    def first_header(self) -> None:
        """Issuer identity on the left, the document's identity box on the right."""
        c, doc, t, theme = self.c, self.doc, self.t, self.theme
        self._open_page()
        box_w = 84.0
        box_x = X1 - box_w
        left_w = box_x - X0 - 6
        y = TOP
        if self.branding.logo:
            y = logo.draw(c, self.branding.logo, X0, y, max_w=min(62.0, left_w), max_h=20.0) + 2.5
        else:
            c.use(15, bold=True, color=theme.accent)
            for line in c.wrap(self.branding.display_name, left_w)[:2]:
                c.put(X0, y, line)
                y += c.line_height()
            y += 1
        c.use(9, bold=True, color=INK)
        y = c.paragraph(X0, y, left_w, doc.emisor.nombre)
        y = self.field_line(X0, y, left_w, t["rfc"], doc.emisor.rfc)
        y = self.field_line(X0, y, left_w, t["regimen"], doc.emisor.regimen)
        y = self.field_line(X0, y, left_w, t["issued_in"], doc.lugar_expedicion)
        left_bottom = y

        # Identity box: title band, then label/value rows.
        band_h = 9.0
        c.box(box_x, TOP, box_w, band_h, theme.primary)
        folio_w = 0.0
        if doc.serie_folio:
            c.use(10, bold=True, color=theme.on_primary)
            folio = c.fit(doc.serie_folio, box_w * 0.4)
            folio_w = c.width(folio) + 4
            c.put_right(X1 - 3, TOP + 2.6, folio)
        # Long titles ("Complemento de pago") shrink rather than lose words.
        title = self.title.upper()
        title_w = box_w - 6 - folio_w
        size = 12.5
        c.use(size, bold=True, color=theme.on_primary)
        while size > 8.5 and c.width(title) > title_w:
            size -= 0.5
            c.use(size, bold=True, color=theme.on_primary)
        c.put(box_x + 3, TOP + 4.5 - size * PT * 0.5, c.fit(title, title_w))
        rows = [
            (t["uuid"], doc.stamp.uuid if doc.stamp else "—"),
            (t["issued_at"], doc.fecha),
            (t["stamped_at"], doc.stamp.fecha_timbrado if doc.stamp else "—"),
            (t["doc_type"], doc.tipo_descripcion),
            (t["csd_number"], doc.no_certificado or "—"),
        ]
        y = TOP + band_h + 1.6
        for label, value in rows:
            c.use(6, color=MUTED)
            c.put(box_x + 3, y, label.upper())
            y += c.line_height()
            c.use(7.8, bold=label == t["uuid"], color=INK)
            c.put(box_x + 3, y, c.fit(value, box_w - 6))
            y += c.line_height() + 0.5
        box_bottom = y + 0.6
        c.frame(box_x, TOP, box_w, box_bottom - TOP, theme.primary, 0.3)

        self.y = max(left_bottom, box_bottom) + 2.5
        c.hline(X0, X1, self.y, theme.primary, 0.7)
        self.y += 3

    def _continuation_header(self) -> None:
        c, doc, theme = self.c, self.doc, self.theme
        c.use(9, bold=True, color=theme.accent)
        c.put(X0, self.y, c.fit(self.branding.display_name, WIDTH / 2 - 4))
        c.use(7.5, color=INK)
        ident = " ".join(p for p in (self.title, doc.serie_folio) if p)
        if doc.stamp:
            ident += f"  ·  {doc.stamp.uuid}"
        c.put_right(X1, self.y + 0.5, ident)
        self.y += 5.5
        c.hline(X0, X1, self.y, theme.primary, 0.5)
        self.y += 3

    # -- footer and watermark ----------------------------------------------------------------

    def _footer(self) -> None:
        c = self.c
        y = PAGE_H - 12.5
        c.hline(X0, X1, y, RULE, 0.2)
        c.use(6.5, color=MUTED)
        c.put(X0, y + 1.2, self.t["printed_cfdi"])
        # cell() (not put) so fpdf2 substitutes the total page count alias at output time.
        c.set_xy(X1 - 40, y + 0.9)
        text = self.t["page"].format(page=c.page_no(), pages="{nb}")
        c.cell(40, 3.2, text, align="R")

    def _watermark(self, text: str) -> None:
        c = self.c
        diagonal = (PAGE_W**2 + PAGE_H**2) ** 0.5
        c.use(10, bold=True, color=(200, 30, 30))
        size = min(64.0, 10 * diagonal * 0.78 / max(c.width(text), 1.0))
        c.use(size, bold=True, color=(200, 30, 30))
        w = c.width(text)
        cx, cy = PAGE_W / 2, PAGE_H / 2
        with c.local_context(fill_opacity=0.13), c.rotation(angle=52, x=cx, y=cy):
            c.text(cx - w / 2, cy + size * PT * 0.35, text)

    # -- small helpers shared by sections ----------------------------------------------------

    def field_line(self, x: float, y: float, width: float, label: str, value: str) -> float:
        """``Label: value`` at 7.5 pt, wrapped; returns the y below it."""
        if not value:
            return y
        c = self.c
        c.use(7.5, bold=True, color=MUTED)
        prefix = f"{label}: "
        indent = c.width(prefix)
        c.put(x, y, prefix)
        c.use(7.5, color=INK)
        lines = c.wrap(value, width - indent)
        step = c.line_height()
        for i, line in enumerate(lines):
            c.put(x + indent, y + i * step, line)
        return y + step * len(lines)

    def field_height(self, width: float, label: str, value: str) -> float:
        """The height ``field_line`` will take for the same arguments."""
        if not value:
            return 0.0
        c = self.c
        c.use(7.5, bold=True)
        indent = c.width(f"{label}: ")
        c.use(7.5)
        return len(c.wrap(value, width - indent)) * c.line_height()

    def section_label(self, x: float, y: float, text: str, color: RGB | None = None) -> float:
        c = self.c
        c.use(6.5, bold=True, color=color or self.theme.accent)
        c.put(x, y, text.upper())
        return y + c.line_height() + 0.3
