"""Navigation of the Pagos 2.0 complement and its request-field names.

Request fields of a payment complement (our API): `payment_form`, `currency`, `exchange_rate`,
`amount`, `paid_at`, `payer_bank.{tax_id,name,account}`, `payee_bank.{tax_id,account}`,
`spei.{chain_type,certificate,chain,seal}` and, per paid invoice (DoctoRelacionado, numbered
across all Pago nodes), `invoices[k].{uuid,currency,equivalence,installment,previous_balance,
amount,taxability,taxes}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .._doc import Doc, currency_decimals
from .._values import Node, child, dec, nodes, text


def pagos(doc: Doc) -> list[Node]:
    return doc.memo("pagos", lambda: nodes(doc.pagos.get("Pago")) if doc.pagos else [])


@dataclass(frozen=True, slots=True)
class Docto:
    """A DoctoRelacionado with its Pago: `p` is the Pago index, `k` the running document index."""

    p: int
    i: int
    k: int
    pago: Node
    node: Node

    @property
    def moneda(self) -> str | None:
        return text(self.node.get("MonedaDR"))

    @property
    def moneda_p(self) -> str | None:
        return text(self.pago.get("MonedaP"))

    @property
    def decimals(self) -> int | None:
        return currency_decimals(self.moneda)

    @property
    def equivalencia(self) -> Decimal | None:
        """EquivalenciaDR, taken as 1 when absent and the currencies match (SAT's default)."""
        value = dec(self.node.get("EquivalenciaDR"))
        if value is None and self.moneda == self.moneda_p:
            return Decimal(1)
        return value

    @property
    def impuestos(self) -> Node | None:
        return child(self.node, "ImpuestosDR")

    def field(self, attribute: str) -> str:
        return f"invoices[{self.k}].{attribute}" if attribute else f"invoices[{self.k}]"

    def location(self, attribute: str) -> str:
        return f"Pagos.Pago[{self.p}].DoctoRelacionado[{self.i}]" + (f".{attribute}" if attribute else "")


def _all_doctos(doc: Doc) -> list[Docto]:
    found: list[Docto] = []
    for p, pago in enumerate(pagos(doc)):
        for i, node in enumerate(nodes(pago.get("DoctoRelacionado"))):
            found.append(Docto(p, i, len(found), pago, node))
    return found


def doctos(doc: Doc) -> list[Docto]:
    return doc.memo("doctos", lambda: _all_doctos(doc))


def pago_doctos(doc: Doc, p: int) -> list[Docto]:
    return [d for d in doctos(doc) if d.p == p]


def tipo_cambio_p(pago: Node) -> Decimal:
    """TipoCambioP, 1 when absent (MXN payments)."""
    return dec(pago.get("TipoCambioP")) or Decimal(1)


def pago_location(p: int, attribute: str) -> str:
    return f"Pagos.Pago[{p}]" + (f".{attribute}" if attribute else "")
