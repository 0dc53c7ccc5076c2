"""DoctoRelacionado: currency and equivalence, balances, ObjetoImpDR, and Monto against the
paid amounts with SAT's variation margin for mixed currencies."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ...money import ceil, half_unit, truncate
from .._common import amount, in_catalog, too_many_decimals
from .._doc import Doc, currency_decimals
from .._values import decimals, fmt, nodes, text
from ..context import RuleContext
from ..registry import Finding, rule
from ._pagos import Docto, doctos, pago_doctos, pago_location, pagos

ZERO = Decimal(0)
OBJETO_SIN_DESGLOSE = frozenset({"01", "03", "04", "05"})
# CRP20277: a same-currency document in a mixed-currency payment counts its EquivalenciaDR of 1
# with 10 decimals in the margin formula, so its margin is negligible. CRP20238 asks it written "1";
# "1.0000000000" (the formula's reading) is accepted there, any other spelling of 1 is not.
EQUIVALENCIA_UNO_DECIMALS = 10


def _finding(d: Docto, attribute: str, request: str, message: str) -> Finding:
    return Finding(message, field=d.field(request), location=d.location(attribute))


@rule("CRP20236", scope="pagos")
def moneda_dr_not_xxx(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        if d.moneda == "XXX":
            yield _finding(d, "MonedaDR", "currency", "MonedaDR must be the invoice's currency, not XXX.")


@rule("CRP20237", scope="pagos")
def equivalencia_required(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        if d.moneda != d.moneda_p and d.node.get("EquivalenciaDR") is None:
            yield _finding(
                d,
                "EquivalenciaDR",
                "equivalence",
                f"MonedaDR {d.moneda} differs from MonedaP {d.moneda_p}: EquivalenciaDR is required.",
            )


@rule("CRP20238", scope="pagos")
def equivalencia_one_same_currency(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, _ in enumerate(pagos(doc)):
        docs = pago_doctos(doc, p)
        exact = not _mixed(docs)  # CRP20277 judges how a mixed payment spells its 1
        for d in docs:
            value = amount(d.node, "EquivalenciaDR")
            if d.moneda == d.moneda_p and (value != 1 or (exact and decimals(value) != 0)):
                yield _finding(
                    d,
                    "EquivalenciaDR",
                    "equivalence",
                    f'MonedaDR equals MonedaP, so EquivalenciaDR must be exactly "1" (found {fmt(value)}).',
                )


def _positive(code: str, key: str, request: str) -> None:
    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for d in doctos(doc):
            value = amount(d.node, key)
            if value is None or value <= 0:
                yield _finding(d, key, request, f"{key} {fmt(value)} must be greater than 0.")

    check.__name__ = f"{key.lower()}_positive"


def _dr_decimals(code: str, key: str, request: str) -> None:
    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for d in doctos(doc):
            if message := too_many_decimals(key, amount(d.node, key), d.decimals, d.moneda):
                yield _finding(d, key, request, message)

    check.__name__ = f"{key.lower()}_decimals"


_positive("CRP20239", "ImpSaldoAnt", "previous_balance")
_positive("CRP20241", "ImpPagado", "amount")
_dr_decimals("CRP20240", "ImpSaldoAnt", "previous_balance")
_dr_decimals("CRP20242", "ImpPagado", "amount")
_dr_decimals("CRP20243", "ImpSaldoInsoluto", "amount")


@rule("CRP20244", scope="pagos")
def saldo_insoluto_formula(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        anterior, pagado, insoluto = (amount(d.node, k) for k in ("ImpSaldoAnt", "ImpPagado", "ImpSaldoInsoluto"))
        expected = anterior - pagado if anterior is not None and pagado is not None else None
        if insoluto is None or insoluto < 0 or (expected is not None and insoluto != expected):
            yield _finding(
                d,
                "ImpSaldoInsoluto",
                "amount",
                f"ImpSaldoInsoluto {fmt(insoluto)} must be ImpSaldoAnt - ImpPagado ({fmt(expected)}) and not negative.",
            )


@rule("CRP20245", scope="pagos")
def objeto_imp_dr_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        objeto = text(d.node.get("ObjetoImpDR"))
        if not in_catalog("c_ObjetoImp", objeto, doc.on):
            yield _finding(d, "ObjetoImpDR", "taxability", f"ObjetoImpDR {objeto!r} is not a c_ObjetoImp key in force.")


@rule("CRP20246", scope="pagos")
def objeto_02_has_impuestos_dr(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        if text(d.node.get("ObjetoImpDR")) == "02" and d.impuestos is None:
            yield _finding(
                d, "ImpuestosDR", "taxes", "ObjetoImpDR is 02, so the paid invoice's ImpuestosDR are required."
            )


@rule("CRP20247", scope="pagos")
def objeto_without_breakdown_has_no_impuestos_dr(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        objeto = text(d.node.get("ObjetoImpDR"))
        if objeto in OBJETO_SIN_DESGLOSE and d.impuestos is not None:
            yield _finding(d, "ImpuestosDR", "taxes", f"ObjetoImpDR is {objeto}, so ImpuestosDR must be absent.")


@rule("CRP20248", scope="pagos")
def impuestos_dr_not_empty(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        imp = d.impuestos
        if imp is not None and not nodes(imp.get("TrasladosDR")) and not nodes(imp.get("RetencionesDR")):
            yield _finding(d, "ImpuestosDR", "taxes", "ImpuestosDR has neither TrasladosDR nor RetencionesDR.")


def _impuestos_dr(d: Docto) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for kind in ("TrasladosDR", "RetencionesDR"):
        found.extend((kind, text(n.get("ImpuestoDR"))) for n in nodes(d.impuestos.get(kind) if d.impuestos else None))
    return found


@rule("CRP20278", scope="pagos")
def objeto_06_08_without_iva_ieps(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        objeto = text(d.node.get("ObjetoImpDR"))
        if objeto in ("06", "08") and any(imp in ("002", "003") for _, imp in _impuestos_dr(d)):
            yield _finding(
                d,
                "ImpuestosDR",
                "taxes",
                f"ObjetoImpDR {objeto}: the paid invoice's taxes must not include IVA or IEPS.",
            )


@rule("CRP20279", scope="pagos")
def objeto_07_ieps_without_iva(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for d in doctos(doc):
        if text(d.node.get("ObjetoImpDR")) != "07":
            continue
        taxes = _impuestos_dr(d)
        if any(imp == "002" for _, imp in taxes) or ("TrasladosDR", "003") not in taxes:
            yield _finding(d, "ImpuestosDR", "taxes", "ObjetoImpDR 07: transfer IEPS (003) and carry no IVA.")


def _mixed(docs: list[Docto]) -> bool:
    return any(d.moneda != d.moneda_p for d in docs)


def _bounds(d: Docto, places: int, mixed_with_same: bool) -> tuple[Decimal, Decimal] | None:
    """SAT's margin for one paid amount converted to the payment currency (Pagos 2.0 guide):
    lower = (ImpPagado - 10^-dI/2) / (EquivalenciaDR + 10^-dE/2), truncated;
    upper = (ImpPagado + 10^-dI/2) / (EquivalenciaDR - 10^-dE/2), rounded up."""
    pagado, equivalencia = amount(d.node, "ImpPagado"), d.equivalencia
    if pagado is None or equivalencia is None or equivalencia <= 0:
        return None
    dec_eq = EQUIVALENCIA_UNO_DECIMALS if (equivalencia == 1 and mixed_with_same) else decimals(equivalencia)
    margin_paid, margin_eq = half_unit(decimals(pagado)), half_unit(dec_eq)
    lower = truncate((pagado - margin_paid) / (equivalencia + margin_eq), places)
    upper = ceil((pagado + margin_paid) / (equivalencia - margin_eq), places)
    return lower, upper


@rule("CRP20217", scope="pagos")
def same_currency_paid_within_monto(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        docs, monto = pago_doctos(doc, p), amount(pago, "Monto")
        if not docs or _mixed(docs) or monto is None:
            continue
        paid = sum((amount(d.node, "ImpPagado") or ZERO for d in docs), ZERO)
        if paid > monto:
            yield Finding(
                f"The invoices' ImpPagado add up to {fmt(paid)}, more than Monto {fmt(monto)}.",
                location=pago_location(p, "Monto"),
            )


def _mixed_bounds(doc: Doc, p: int) -> list[tuple[Docto, tuple[Decimal, Decimal] | None]]:
    pago_docs = pago_doctos(doc, p)
    places = currency_decimals(pago_docs[0].moneda_p) or 2
    with_same = any(d.moneda == d.moneda_p for d in pago_docs)
    return [(d, _bounds(d, places, with_same)) for d in pago_docs]


@rule("CRP20275", scope="pagos")
def paid_amount_within_payment(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        monto = amount(pago, "Monto")
        if monto is None or not _mixed(pago_doctos(doc, p)):
            continue
        for d, bounds in _mixed_bounds(doc, p):
            if d.moneda != d.moneda_p and bounds is not None and bounds[0] > monto:
                yield _finding(
                    d,
                    "ImpPagado",
                    "amount",
                    f"ImpPagado converted to {d.moneda_p} is at least {fmt(bounds[0])}, more than Monto {fmt(monto)}.",
                )


@rule("CRP20276", scope="pagos")
def monto_within_mixed_margin(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        monto = amount(pago, "Monto")
        if monto is None or not _mixed(pago_doctos(doc, p)):
            continue
        pairs = _mixed_bounds(doc, p)
        if any(b is None for _, b in pairs):
            continue  # a missing ImpPagado/EquivalenciaDR has its own code
        lower = sum((b[0] for _, b in pairs if b is not None), ZERO)
        if monto < lower:
            yield Finding(
                f"Monto {fmt(monto)} is below the sum of the converted paid amounts' lower limits ({fmt(lower)}).",
                location=pago_location(p, "Monto"),
            )


@rule("CRP20277", scope="pagos")
def equivalencia_one_with_ten_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, _ in enumerate(pagos(doc)):
        docs = pago_doctos(doc, p)
        if len(docs) < 2 or not _mixed(docs):
            continue
        for d in docs:
            value = amount(d.node, "EquivalenciaDR")
            if d.moneda == d.moneda_p and value == 1 and decimals(value) not in (0, EQUIVALENCIA_UNO_DECIMALS):
                yield _finding(
                    d,
                    "EquivalenciaDR",
                    "equivalence",
                    f'In a mixed-currency payment write EquivalenciaDR as "1" (found {fmt(value)}); SAT\'s margin '
                    "reads it as 1.0000000000.",
                )


# The matrix has no codes for these; CRP20999 carries them. They need the caller's lookup of
# the invoices we issued and only check facts the lookup knows.
@rule("CRP20999", scope="pagos")
def paid_invoice_matches_records(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.related is None:
        return
    for d in doctos(doc):
        uuid = text(d.node.get("IdDocumento")) or ""
        related = ctx.related(uuid)
        if related is None:
            continue
        if not related.exists:
            yield _finding(d, "IdDocumento", "uuid", f"Invoice {uuid} does not exist or was cancelled.")
            continue
        if related.metodo_pago is not None and related.metodo_pago != "PPD":
            yield _finding(
                d,
                "IdDocumento",
                "uuid",
                f"Invoice {uuid} is {related.metodo_pago}; only PPD invoices take payment complements.",
            )
        if related.moneda is not None and related.moneda != d.moneda:
            yield _finding(d, "MonedaDR", "currency", f"Invoice {uuid} is in {related.moneda}, not {d.moneda}.")
        anterior = amount(d.node, "ImpSaldoAnt")
        if related.saldo is not None and anterior is not None and related.saldo != anterior:
            yield _finding(
                d,
                "ImpSaldoAnt",
                "previous_balance",
                f"Invoice {uuid} has an outstanding balance of {fmt(related.saldo)}, not {fmt(anterior)}.",
            )
        parcialidad = text(d.node.get("NumParcialidad"))
        if related.ultima_parcialidad is not None and parcialidad != str(next_one := related.ultima_parcialidad + 1):
            yield _finding(
                d,
                "NumParcialidad",
                "installment",
                f"Invoice {uuid} had {related.ultima_parcialidad} payments; NumParcialidad must be {next_one}.",
            )
