"""CRP20101-CRP20123: the fixed shape of the CFDI 4.0 that carries a Pagos complement."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .._common import amount
from .._doc import Doc
from .._values import Node, present, text
from ..context import RuleContext
from ..registry import Finding, rule

CLAVE_PAGO, UNIDAD_PAGO, DESCRIPCION_PAGO = "84111506", "ACT", "Pago"
# Children a payment's concept must not have (ACuentaTerceros is allowed; Impuestos has its
# own code, CRP20123).
CHILD_NODES = ("InformacionAduanera", "CuentaPredial", "ComplementoConcepto", "Parte")


def _concepto(doc: Doc) -> Node | None:
    return doc.conceptos[0] if doc.conceptos else None


def _attribute_rule(code: str, key: str, ok: Callable[[Node], bool], message: str, on_concepto: bool = False) -> None:
    """Register a rule that a single attribute of the Comprobante (or its concept) breaks."""

    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        node = _concepto(doc) if on_concepto else doc.raw
        if node is not None and not ok(node):
            yield Finding(message, location=("Conceptos[0]." if on_concepto else "") + key)

    check.__name__ = f"{code.lower()}_{key.lower()}"


def _absent(key: str) -> Callable[[Node], bool]:
    return lambda node: not present(node, key)


def _equals(key: str, expected: str) -> Callable[[Node], bool]:
    return lambda node: text(node.get(key)) == expected


def _zero(key: str) -> Callable[[Node], bool]:
    return lambda node: amount(node, key) == 0


def _one(key: str) -> Callable[[Node], bool]:
    return lambda node: amount(node, key) == 1


_attribute_rule(
    "CRP20101",
    "TipoDeComprobante",
    _equals("TipoDeComprobante", "P"),
    "A CFDI with the Pagos complement must be of type P.",
)
_attribute_rule("CRP20102", "Exportacion", _equals("Exportacion", "01"), "A payment CFDI must have Exportacion 01.")
_attribute_rule("CRP20103", "SubTotal", _zero("SubTotal"), "A payment CFDI must have SubTotal 0.")
_attribute_rule("CRP20104", "Moneda", _equals("Moneda", "XXX"), "A payment CFDI must have Moneda XXX.")
_attribute_rule(
    "CRP20105", "FormaPago", _absent("FormaPago"), "A payment CFDI must not have FormaPago (it goes in each Pago)."
)
_attribute_rule("CRP20106", "MetodoPago", _absent("MetodoPago"), "A payment CFDI must not have MetodoPago.")
_attribute_rule(
    "CRP20107", "CondicionesDePago", _absent("CondicionesDePago"), "A payment CFDI must not have CondicionesDePago."
)
_attribute_rule("CRP20108", "Descuento", _absent("Descuento"), "A payment CFDI must not have Descuento.")
_attribute_rule(
    "CRP20109", "TipoCambio", _absent("TipoCambio"), "A payment CFDI must not have TipoCambio (it goes in each Pago)."
)
_attribute_rule("CRP20110", "Total", _zero("Total"), "A payment CFDI must have Total 0.")
_attribute_rule(
    "CRP20113",
    "ClaveProdServ",
    _equals("ClaveProdServ", CLAVE_PAGO),
    "The concept's ClaveProdServ must be 84111506.",
    True,
)
_attribute_rule(
    "CRP20114", "NoIdentificacion", _absent("NoIdentificacion"), "The concept must not have NoIdentificacion.", True
)
_attribute_rule("CRP20115", "Cantidad", _one("Cantidad"), "The concept's Cantidad must be 1.", True)
_attribute_rule(
    "CRP20116", "ClaveUnidad", _equals("ClaveUnidad", UNIDAD_PAGO), "The concept's ClaveUnidad must be ACT.", True
)
_attribute_rule("CRP20117", "Unidad", _absent("Unidad"), "The concept must not have Unidad.", True)
_attribute_rule(
    "CRP20118",
    "Descripcion",
    _equals("Descripcion", DESCRIPCION_PAGO),
    "The concept's Descripcion must be 'Pago'.",
    True,
)
_attribute_rule("CRP20119", "ValorUnitario", _zero("ValorUnitario"), "The concept's ValorUnitario must be 0.", True)
_attribute_rule("CRP20120", "Importe", _zero("Importe"), "The concept's Importe must be 0.", True)
_attribute_rule("CRP20121", "Descuento", _absent("Descuento"), "The concept must not have Descuento.", True)
_attribute_rule("CRP20122", "ObjetoImp", _equals("ObjetoImp", "01"), "The concept's ObjetoImp must be 01.", True)
_attribute_rule("CRP20123", "Impuestos", _absent("Impuestos"), "The concept must not have Impuestos.", True)


@rule("CRP20111", scope="pagos")
def single_concepto(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if len(doc.conceptos) != 1:
        yield Finding(
            f"A payment CFDI must have exactly one concept (found {len(doc.conceptos)}).", location="Conceptos"
        )


@rule("CRP20112", scope="pagos")
def concepto_without_children(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        extra = [name for name in CHILD_NODES if present(concepto, name)]
        if extra:
            yield Finding(
                f"The payment concept may only contain ACuentaTerceros (found {', '.join(extra)}).",
                location=f"Conceptos[{i}]",
            )
