"""Pago attributes: form and currency of payment, TipoCambioP, Monto, and the bank-account
attributes whose presence and format c_FormaPago governs (CRP20212-CRP20235)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ....catalogs import store
from .._common import amount, too_many_decimals
from .._doc import Doc, currency_decimals
from .._values import RFC_EXTRANJERO, RFC_PATTERN, Node, dec, fmt, present, text
from ..context import RuleContext
from ..registry import Finding, rule
from ._pagos import pago_location, pagos, tipo_cambio_p

SI, NO = "Sí", "No"


def _forma(pago: Node) -> dict[str, str] | None:
    forma = text(pago.get("FormaDePagoP"))
    row = store.get("c_FormaPago", forma) if forma else None
    return dict(row) if row is not None else None


@rule("CRP20212", scope="pagos")
def forma_not_99(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        if text(pago.get("FormaDePagoP")) == "99":
            yield Finding(
                "FormaDePagoP must be the actual form of payment, not 99.", location=pago_location(p, "FormaDePagoP")
            )


@rule("CRP20213", scope="pagos")
def moneda_not_xxx(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        if text(pago.get("MonedaP")) == "XXX":
            yield Finding("MonedaP must be a real currency, not XXX.", location=pago_location(p, "MonedaP"))


@rule("CRP20214", scope="pagos")
def foreign_needs_tipo_cambio(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        moneda = text(pago.get("MonedaP"))
        if moneda not in (None, "MXN") and not present(pago, "TipoCambioP"):
            yield Finding(f"MonedaP is {moneda}, so TipoCambioP is required.", location=pago_location(p, "TipoCambioP"))


@rule("CRP20215", scope="pagos")
def mxn_tipo_cambio_one(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        if text(pago.get("MonedaP")) == "MXN" and dec(pago.get("TipoCambioP")) != 1:
            yield Finding(
                f"MonedaP is MXN, so TipoCambioP must be 1 (found {pago.get('TipoCambioP')}).",
                location=pago_location(p, "TipoCambioP"),
            )


@rule("CRP20216", scope="pagos")
def tipo_cambio_within_limits(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if text(doc.get("Confirmacion")):
        return
    for p, pago in enumerate(pagos(doc)):
        rate, limits = dec(pago.get("TipoCambioP")), ctx.exchange_rate_limits.get(text(pago.get("MonedaP")) or "")
        if rate is not None and limits is not None and not limits[0] <= rate <= limits[1]:
            yield Finding(
                f"TipoCambioP {fmt(rate)} is outside {fmt(limits[0])}-{fmt(limits[1])}; it needs a Confirmacion.",
                location=pago_location(p, "TipoCambioP"),
            )


@rule("CRP20218", scope="pagos")
def monto_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        monto = amount(pago, "Monto")
        if monto is None or monto <= 0:
            yield Finding(f"Monto {fmt(monto)} must be greater than 0.", location=pago_location(p, "Monto"))


@rule("CRP20219", scope="pagos")
def monto_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        moneda = text(pago.get("MonedaP"))
        if message := too_many_decimals("Monto", amount(pago, "Monto"), currency_decimals(moneda), moneda):
            yield Finding(message, location=pago_location(p, "Monto"))


@rule("CRP20220", scope="pagos")
def monto_within_limit(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    row = store.get("c_TipoDeComprobante", "P")
    limit = dec(row["valor_maximo"]) if row is not None else None
    if limit is None or text(doc.get("Confirmacion")):
        return
    for p, pago in enumerate(pagos(doc)):
        monto = amount(pago, "Monto")
        if monto is not None and monto * tipo_cambio_p(pago) > limit:
            yield Finding(
                f"Monto {fmt(monto)} exceeds SAT's limit in MXN; it needs a Confirmacion.",
                location=pago_location(p, "Monto"),
            )


def _not_allowed(code: str, key: str, column: str) -> None:
    """Register: `key` must not be present when c_FormaPago's `column` says No for the form."""

    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            forma = _forma(pago)
            if present(pago, key) and forma is not None and forma[column] == NO:
                yield Finding(
                    f"{key} is not allowed with FormaDePagoP {forma['code']}.", location=pago_location(p, key)
                )

    check.__name__ = f"{key.lower()}_allowed"


_not_allowed("CRP20221", "RfcEmisorCtaOrd", "permite_rfc_emisor_cta_ordenante")
_not_allowed("CRP20224", "CtaOrdenante", "permite_cta_ordenante")
_not_allowed("CRP20227", "RfcEmisorCtaBen", "permite_rfc_emisor_cta_beneficiario")
_not_allowed("CRP20228", "CtaBeneficiario", "permite_cta_beneficiario")
_not_allowed("CRP20229", "TipoCadPago", "permite_tipo_cad_pago")


@rule("CRP20222", scope="pagos")
def rfc_cta_ordenante_well_formed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        rfc = text(pago.get("RfcEmisorCtaOrd"))
        if rfc is not None and rfc != RFC_EXTRANJERO and not RFC_PATTERN.match(rfc):
            yield Finding(
                f"RfcEmisorCtaOrd {rfc!r} is malformed, so it cannot be in SAT's list.",
                location=pago_location(p, "RfcEmisorCtaOrd"),
            )


@rule("CRP20223", scope="pagos")
def foreign_bank_needs_name(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        if text(pago.get("RfcEmisorCtaOrd")) == RFC_EXTRANJERO and not present(pago, "NomBancoOrdExt"):
            yield Finding(
                "RfcEmisorCtaOrd is XEXX010101000, so NomBancoOrdExt is required.",
                location=pago_location(p, "NomBancoOrdExt"),
            )


def _pattern_rule(code: str, key: str, column: str) -> None:
    """Register: `key` must match the account pattern c_FormaPago's `column` gives."""

    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            value, forma = text(pago.get(key)), _forma(pago)
            pattern = forma[column] if forma is not None else ""
            # "Opcional" (form 99) accepts any value; an empty pattern is the *_allowed rule's case.
            if value is not None and pattern and pattern != "Opcional" and not re.fullmatch(pattern, value):
                yield Finding(
                    f"{key} {value!r} does not match {pattern} for FormaDePagoP {forma and forma['code']}.",
                    location=pago_location(p, key),
                )

    check.__name__ = f"{key.lower()}_pattern"


_pattern_rule("CRP20225", "CtaOrdenante", "patron_cta_ordenante")
_pattern_rule("CRP20226", "CtaBeneficiario", "patron_cta_beneficiario")


def _cadena_rule(required_code: str, forbidden_code: str, key: str) -> None:
    """Register: `key` is required with TipoCadPago and forbidden without it."""

    @rule(required_code, scope="pagos")
    def required(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            if present(pago, "TipoCadPago") and not present(pago, key):
                yield Finding(f"TipoCadPago is present, so {key} is required.", location=pago_location(p, key))

    @rule(forbidden_code, scope="pagos")
    def forbidden(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            if not present(pago, "TipoCadPago") and present(pago, key):
                yield Finding(f"{key} is only allowed together with TipoCadPago.", location=pago_location(p, key))

    required.__name__, forbidden.__name__ = f"{key.lower()}_required", f"{key.lower()}_forbidden"


_cadena_rule("CRP20230", "CRP20231", "CertPago")
_cadena_rule("CRP20232", "CRP20233", "CadPago")
_cadena_rule("CRP20234", "CRP20235", "SelloPago")
