"""The Pagos 2.0 content of a payment CFDI (TipoDeComprobante P): every attribute of each Pago (bank
accounts, SPEI chain, ImpuestosP), each DoctoRelacionado (EquivalenciaDR, ObjetoImpDR, ImpuestosDR) and the
Totales."""

from __future__ import annotations

from timbre.cfdi.pdf.document import Payment, Payments
from timbre.cfdi.pdf.fields import format_money, format_quantity
from timbre.cfdi.pdf.page import INK, MUTED, WIDTH, X0, X1, Page
from timbre.cfdi.pdf.sections import tax_detail
from timbre.cfdi.pdf.table import Column, Span, Table


def payments(page: Page, pagos: Payments) -> None:
    t = page.t
    page.ensure(30)
    page.y = page.section_label(X0, page.y, t["pagos"]) + 0.5
    for number, payment in enumerate(pagos.payments, start=1):
        _payment(page, number, payment)
    _totals(page, pagos)


def _payment(page: Page, number: int, payment: Payment) -> None:
    c, t = page.c, page.t
    facts = [
        (t["fecha_pago"], payment.fecha),
        (t["forma_pago"], payment.forma),
        (t["moneda"], payment.moneda),
        (t["tipo_cambio"], format_quantity(payment.tipo_cambio)),
        (t["monto"], format_money(payment.monto)),
        (t["num_operacion"], payment.num_operacion),
        (t["rfc_cta_ord"], payment.rfc_emisor_cta_ord),
        (t["banco_ord_ext"], payment.nom_banco_ord_ext),
        (t["cta_ordenante"], payment.cta_ordenante),
        (t["rfc_cta_ben"], payment.rfc_emisor_cta_ben),
        (t["cta_beneficiario"], payment.cta_beneficiario),
        (t["tipo_cad_pago"], payment.tipo_cad_pago),
        (t["cert_pago"], payment.cert_pago),
        (t["cad_pago"], payment.cad_pago),
        (t["sello_pago"], payment.sello_pago),
    ]
    summary = " · ".join(f"{label}: {value}" for label, value in facts if value)
    c.use(7.3)
    lines = c.wrap(summary, WIDTH - 4)
    height = c.line_height(8) + len(lines) * c.line_height(7.3) + 2.4
    page.ensure(height + 16)  # keep the heading with the start of its table
    c.box(X0, page.y, WIDTH, height, page.theme.tint)
    c.use(8, bold=True, color=page.theme.accent)
    c.put(X0 + 2, page.y + 1.2, f"{t['pago']} {number}")
    c.use(7.3, color=INK)
    c.paragraph(X0 + 2, page.y + 1.2 + c.line_height(8), WIDTH - 4, summary)
    page.y += height + 1

    table = Table(
        page,
        [
            Column(t["col.documento"], 0),
            Column(t["col.serie_folio"], 20),
            Column(t["moneda"], 12),
            Column(t["col.equivalencia"], 18, "R"),
            Column(t["col.parcialidad"], 9, "R"),
            Column(t["col.saldo_anterior"], 24, "R"),
            Column(t["col.pagado"], 24, "R"),
            Column(t["col.saldo_insoluto"], 24, "R"),
        ],
    )
    table.start()
    for doc in payment.documents:
        table.row(
            [
                [Span(doc.uuid), Span(tax_detail(page, doc.objeto_imp, doc.taxes), 6, muted=True)],
                [Span(doc.serie_folio)],
                [Span(doc.moneda)],
                [Span(format_quantity(doc.equivalencia))],
                [Span(doc.parcialidad)],
                [Span(format_money(doc.saldo_anterior))],
                [Span(format_money(doc.pagado), bold=True)],
                [Span(format_money(doc.saldo_insoluto))],
            ]
        )
    if payment.taxes:
        c.use(7, color=MUTED)
        page.y = c.paragraph(X0, page.y + 0.8, WIDTH, f"{t['impuestos_p']}: {tax_detail(page, '', payment.taxes)}")
    page.gap(3)


def _totals(page: Page, pagos: Payments) -> None:
    c, t = page.c, page.t
    rows = [(t[f"tot.{name}"], amount) for name, amount in pagos.totals]
    if not rows:
        return
    width = 80.0
    x = X1 - width
    step = c.line_height(7.8) + 0.8
    page.ensure(step * len(rows) + 2)
    for i, (label, amount) in enumerate(rows):
        grand = i == len(rows) - 1 and label == t["tot.MontoTotalPagos"]
        c.use(8.5 if grand else 7.8, bold=grand, color=INK if grand else MUTED)
        c.put(x, page.y, label)
        c.use(8.5 if grand else 7.8, bold=grand, color=INK)
        c.put_right(X1 - 2, page.y, format_money(amount))
        page.y += step
    page.gap(3)
