"""The body of the document: receptor, payment terms, relations, items, taxes and totals."""

from __future__ import annotations

from timbre.cfdi.pdf.document import Line, Tax
from timbre.cfdi.pdf.fields import format_money, format_quantity, format_rate
from timbre.cfdi.pdf.page import INK, MUTED, WIDTH, X0, X1, Page
from timbre.cfdi.pdf.table import GUTTER, Column, Span, Table
from timbre.cfdi.pdf.words import amount_to_words

BOX_PAD = 2.2


def receptor(page: Page) -> None:
    c, t, r = page.c, page.t, page.doc.receptor
    inner = WIDTH - 2 * BOX_PAD
    half = inner / 2 - 2
    left = [(t["rfc"], r.rfc), (t["cp"], r.domicilio_fiscal)]
    if r.residencia_fiscal:
        left.append((t["residencia"], r.residencia_fiscal))
    if r.num_reg_id_trib:
        left.append((t["num_reg_id_trib"], r.num_reg_id_trib))
    right = [(t["regimen"], r.regimen), (t["uso"], r.uso)]

    c.use(9, bold=True)
    name_lines = c.wrap(r.nombre, inner)
    fields_h = max(
        sum(page.field_height(half, label, value) for label, value in left),
        sum(page.field_height(half, label, value) for label, value in right),
    )
    height = BOX_PAD + c.line_height(6.5) + 0.3 + len(name_lines) * c.line_height(9) + 0.4 + fields_h + BOX_PAD
    page.ensure(height)
    y0 = page.y
    c.box(X0, y0, WIDTH, height, page.theme.tint)
    y = page.section_label(X0 + BOX_PAD, y0 + BOX_PAD, t["receptor"])
    c.use(9, bold=True, color=INK)
    for line in name_lines:
        c.put(X0 + BOX_PAD, y, line)
        y += c.line_height()
    y += 0.4
    yl = yr = y
    for label, value in left:
        yl = page.field_line(X0 + BOX_PAD, yl, half, label, value)
    for label, value in right:
        yr = page.field_line(X0 + BOX_PAD + half + 4, yr, half, label, value)
    page.y = y0 + height + 2.5


def terms(page: Page) -> None:
    """Forma/método de pago, moneda, exportación, condiciones: one strip of label-over-value cells."""
    c, t, doc = page.c, page.t, page.doc
    moneda = doc.moneda_descripcion
    if doc.tipo_cambio is not None and doc.moneda not in ("MXN", "XXX"):
        moneda += f"  ({t['tipo_cambio']}: {format_quantity(doc.tipo_cambio)})"
    cells = [
        (t["forma_pago"], doc.forma_pago),
        (t["metodo_pago"], doc.metodo_pago),
        (t["moneda"], moneda if doc.moneda != "XXX" else ""),  # XXX: payment CFDI, no currency
        (t["exportacion"], doc.exportacion),
        (t["condiciones"], doc.condiciones_de_pago),
    ]
    cells = [(label, value) for label, value in cells if value]
    if not cells:
        return
    width = WIDTH / len(cells)
    c.use(7.3)
    height = max(len(c.wrap(value, width - 3)) for _, value in cells) * c.line_height()
    height += c.line_height(6) + 1.2
    page.ensure(height)
    y0 = page.y
    for i, (label, value) in enumerate(cells):
        x = X0 + i * width
        c.use(6, bold=True, color=MUTED)
        c.put(x, y0, label.upper())
        c.use(7.3, color=INK)
        c.paragraph(x, y0 + c.line_height(6) + 0.3, width - 3, value)
    page.y = y0 + height + 1.5


def related_and_global(page: Page) -> None:
    t, doc = page.t, page.doc
    for related in doc.related:
        value = f"{t['tipo_relacion']}: {related.tipo_relacion}.  UUID: {', '.join(related.uuids)}"
        _flow(page, t["related"], value)
    if doc.global_info:
        g = doc.global_info
        value = f"{t['periodicidad']}: {g.periodicidad} · {t['meses']}: {g.meses} · {t['year']}: {g.year}"
        _flow(page, t["global"], value)


# Cantidad's column: 14 mm, wider when a quantity (SAT allows 6 decimals) needs it.
QUANTITY_WIDTH = 14.0
_QUANTITY_SIZE = 7.3


def quantity_width(page: Page, quantities: list[str]) -> float:
    """The Cantidad column width that fits the widest printed quantity on one line."""
    page.c.use(_QUANTITY_SIZE)
    widest = max((page.c.width(q) for q in quantities), default=0.0)
    return max(QUANTITY_WIDTH, widest + 2 * GUTTER + 0.4)


def items(page: Page) -> None:
    t, lines = page.t, page.doc.lines
    with_discount = any(line.descuento for line in lines)
    quantities = [format_quantity(line.cantidad) for line in lines]
    columns = [
        Column(t["col.clave"], 17),
        Column(t["col.cantidad"], quantity_width(page, quantities), "R"),
        Column(t["col.unidad"], 19),
        Column(t["col.descripcion"], 0),
        Column(t["col.valor_unitario"], 23, "R"),
    ]
    if with_discount:
        columns.append(Column(t["col.descuento"], 19, "R"))
    columns.append(Column(t["col.importe"], 24, "R"))
    table = Table(page, columns)
    table.start()
    for line, quantity in zip(lines, quantities, strict=True):
        cells = [
            [Span(line.clave_prod_serv, 7), Span(line.no_identificacion, 6, muted=True)],
            [Span(quantity, _QUANTITY_SIZE)],
            [Span(line.clave_unidad, 7), Span(line.unidad, 6, muted=True)],
            [Span(line.descripcion), Span(_line_detail(page, line), 6, muted=True)],
            [Span(format_money(line.valor_unitario))],
        ]
        if with_discount:
            cells.append([Span(format_money(line.descuento))])
        cells.append([Span(format_money(line.importe), bold=True)])
        table.row(cells)
    page.gap(3)


def totals(page: Page) -> None:
    """Amount in words on the left, the totals column on the right; kept together."""
    c, t, doc, theme = page.c, page.t, page.doc, page.theme
    right_w = 72.0
    left_w = WIDTH - right_w - 8
    rows: list[tuple[str, str]] = [(t["subtotal"], format_money(doc.subtotal))]
    if doc.descuento:
        rows.append((t["descuento"], f"-{format_money(doc.descuento)}"))
    rows += [(tax_label(page, tax), _tax_amount(tax)) for tax in doc.traslados]
    rows += [(tax_label(page, tax), f"-{_tax_amount(tax)}") for tax in doc.retenciones]
    row_h = c.line_height(7.8) + 0.8
    total_h = 8.0
    right_h = len(rows) * row_h + 0.5 + total_h

    c.use(8, bold=True)
    # XXX ("no currency") documents have nothing to spell.
    words_lines = c.wrap(amount_to_words(doc.total, doc.moneda), left_w) if doc.moneda != "XXX" else []
    left_h = c.line_height(6.5) + 0.3 + len(words_lines) * c.line_height(8) if words_lines else 0.0
    page.ensure(max(right_h, left_h))
    y0 = page.y

    x = X1 - right_w
    y = y0
    for label, value in rows:
        c.use(7.8, color=MUTED)
        c.put(x + 2, y, label)
        c.use(7.8, color=INK)
        c.put_right(X1 - 2, y, value)
        y += row_h
    c.box(x, y + 0.5, right_w, total_h, theme.primary)
    c.use(10, bold=True, color=theme.on_primary)
    c.put(x + 2.5, y + 2.3, f"{t['total']} {doc.moneda}")
    symbol = "$" if doc.moneda in ("MXN", "USD") else ""
    c.put_right(X1 - 2.5, y + 2.3, f"{symbol}{format_money(doc.total)}")

    if words_lines:
        y = page.section_label(X0, y0, t["in_words"])
        c.use(8, bold=True, color=INK)
        for line in words_lines:
            c.put(X0, y, line)
            y += c.line_height()
    page.y = y0 + max(right_h, left_h) + 4


def notes(page: Page, text: str) -> None:
    """Free text from the issuer, after the totals."""
    _flow(page, page.t["notes"], text)
    page.gap(1.5)


def tax_label(page: Page, tax: Tax) -> str:
    """``IVA 16%``, ``IVA Exento``, ``IEPS 1.50`` (cuota), ``Retención ISR 10%``."""
    t = page.t
    if tax.factor == "Exento":
        name = f"{tax.impuesto} {t['exento']}"
    elif tax.factor == "Cuota":
        name = f"{tax.impuesto} {format_quantity(tax.rate)}"
    else:
        name = f"{tax.impuesto} {format_rate(tax.rate)}".strip()
    return f"{t['retencion']} {name}" if tax.kind == "retencion" else name


def _tax_amount(tax: Tax) -> str:
    return format_money(tax.importe) if tax.importe is not None else "—"


def _line_detail(page: Page, line: Line) -> str:
    detail = tax_detail(page, line.objeto_imp, line.taxes)
    third = line.a_cuenta_terceros
    if third is None:
        return detail
    t = page.t
    who = " · ".join(p for p in (f"{t['rfc']} {third.rfc}", third.nombre, third.regimen,
                                 f"{t['cp']} {third.domicilio_fiscal}" if third.domicilio_fiscal else "") if p)
    return " · ".join(p for p in (detail, f"{t['a_cuenta_terceros']}: {who}") if p)


def tax_detail(page: Page, objeto_imp: str, taxes: tuple[Tax, ...]) -> str:
    """``Objeto imp.: 02 · Traslado IVA 16%: 160.00 (base 1,000.00)``: a concept's or a paid document's."""
    t = page.t
    parts = []
    if objeto_imp:
        parts.append(f"{t['objeto_imp']}: {objeto_imp}")
    for tax in taxes:
        label = tax_label(page, tax)
        if tax.kind == "traslado":
            label = f"{t['traslado']} {label}"
        amount = _tax_amount(tax)
        base = f" ({t['base']} {format_money(tax.base)})" if tax.base is not None else ""
        parts.append(f"{label}: {amount}{base}")
    return " · ".join(parts)


def _flow(page: Page, label: str, text: str) -> None:
    """A labelled paragraph that continues on the next page when it is long (notes, long lists of
    related UUIDs); the label stays with at least its first lines."""
    c = page.c
    c.use(7.3)
    lines = c.wrap(text, WIDTH)
    step = c.line_height()
    page.ensure(c.line_height(6.5) + 0.3 + min(len(lines), 3) * step)
    page.y = page.section_label(X0, page.y, label)
    for line in lines:
        page.ensure(step)
        c.use(7.3, color=INK)
        c.put(X0, page.y, line)
        page.y += step
    page.gap(1.5)
