"""A payment and the PPD invoices it pays → the CFDI of type P, checked against SAT's rules.

Everything SAT asks of each DoctoRelacionado comes from our records, read with the invoices locked:
the installment (`NumParcialidad`, the last applied one plus one), the previous balance (the
invoice's `last_balance`), the invoice's currency, series, folio and taxes (prorated by the Pagos
builder from the stamped XML). An amount above an invoice's balance is a 400 `overpayment`; every
other problem SAT's CFDI 4.0 and Pagos 2.0 matrices describe is one 400 listing all violations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from satcfdi.cfdi import CFDI
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import husos, store
from timbre.cfdi import xmlsafe
from timbre.cfdi.build import ComprobanteInput, Emisor, Receptor, build
from timbre.cfdi.certs import Credential
from timbre.cfdi.pagos import Overpayment, PagosInputError, PaidDocument, Payment, comprobante_pago, taxes_of_cfdi
from timbre.cfdi.rules import RelatedCfdi, validate
from timbre.complements.repository import ComplementDocumentRepository, ComplementInvoiceRepository
from timbre.complements.schemas import ComplementInput
from timbre.errors import BadRequest, ValidationFailed
from timbre.invoices import guide, validation
from timbre.invoices.compose import active_csd, check_team
from timbre.invoices.repository import InvoiceRepository
from timbre.models import Csd, Invoice
from timbre.rates import service as rates

MESSAGE = "Payment complement breaks SAT rules"
DEFAULT_SERIES = "P"


@dataclass(frozen=True, slots=True)
class Paying:
    """One invoice this payment pays: `ref` (id or UUID), the amount in the invoice's currency."""

    ref: str
    amount: Decimal
    equivalence: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ComplementRequest:
    """What a complement needs, however it was asked for (the API, or a payment's automation)."""

    invoices: Sequence[Paying]
    payment_form: str
    currency: str
    # When the money arrived: a unix time (s or ms), an aware date-time, a naive one (already the
    # issuer's wall clock) or None (now); `compose` writes it as FechaPago on the issuer's clock.
    paid_at: datetime | int | None
    exchange_rate: Decimal | None = None
    amount: Decimal | None = None
    operation_number: str | None = None
    payer_bank: dict[str, Any] = field(default_factory=dict)
    payee_bank: dict[str, Any] = field(default_factory=dict)
    series: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    confirmation: str | None = None  # Confirmacion, for a TipoCambioP outside SAT's variation (CRP20216)
    payment_id: str | None = None
    send_email: bool = False  # e-mail the stamped complement to the client (or to `emails`)
    emails: Sequence[str] = ()

    @classmethod
    def from_input(cls, body: ComplementInput) -> ComplementRequest:
        return cls(
            invoices=[Paying(i.ref, i.amount, i.equivalence) for i in body.invoices], payment_form=body.payment_form,
            currency=body.currency, paid_at=body.paid_at, exchange_rate=body.exchange_rate,
            amount=body.amount, operation_number=body.operation_number,
            payer_bank=body.payer_bank.model_dump(exclude_none=True) if body.payer_bank else {},
            payee_bank=body.payee_bank.model_dump(exclude_none=True) if body.payee_bank else {},
            series=body.series, metadata=body.metadata, confirmation=body.confirmation,
            send_email=bool(body.send_email),
            emails=tuple(body.emails or ()))


def local_time(value: datetime | int | None, codigo_postal: str | None) -> datetime:
    """The wall clock at `codigo_postal` (c_CodigoPostal's zone) for a unix time (seconds or ms), an
    aware datetime, or a naive one (taken as already local); now when None."""
    if value is None:
        return husos.local_now(codigo_postal)
    if isinstance(value, int):
        return husos.local_now(codigo_postal, datetime.fromtimestamp(value / 1000 if value >= 10**11 else value, UTC))
    if value.tzinfo is not None:
        return husos.local_now(codigo_postal, value)
    return value.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Target:
    """A paid invoice as the complement records it."""

    invoice: Invoice
    amount: Decimal
    equivalence: Decimal | None
    installment: int
    previous_balance: Decimal

    @property
    def balance(self) -> Decimal:
        return self.previous_balance - self.amount


@dataclass
class ComposedComplement:
    request: ComplementRequest
    targets: list[Target]
    data: ComprobanteInput  # without serie and folio
    series: str
    csd: Csd | None
    credential: Credential
    client_snapshot: dict[str, Any]
    client_id: str | None
    paid_at: datetime  # FechaPago as written: the issuer's wall clock
    warnings: list[str] = field(default_factory=list)  # accepted, but unchecked (e.g. no FIX rate known)


def exact(value: Decimal, currency: str) -> Decimal:
    """`value` written with the currency's decimals when that changes nothing (PostgreSQL's NUMERIC gives
    116000.000000 for 116000.00); a value with more significant decimals stays as is, for SAT's checks."""
    places = store.moneda_decimales(currency) if store.exists("c_Moneda", currency) else 2
    quantized = value.quantize(Decimal(1).scaleb(-places))
    return quantized if quantized == value else value


def _problem(field_name: str, message: str, code: str | None = None) -> dict[str, Any]:
    if code:
        return validation.detail(code, field_name, message)
    return {"field": field_name, "message": f"{field_name}: {message}"}


def _overpayment(details: list[dict[str, Any]]) -> BadRequest:
    return BadRequest("Payment exceeds the invoice balance", "; ".join(d["message"] for d in details),
                      code="overpayment", details=details)


def _targets(session: Session, auth: AuthContext, request: ComplementRequest) -> list[Target]:
    repo = InvoiceRepository.from_session(session)
    problems: list[dict[str, Any]] = []
    found: list[tuple[int, Invoice, Paying]] = []
    for k, paying in enumerate(request.invoices):
        invoice = repo.by_ref(auth.team_id, auth.livemode, paying.ref)
        if invoice is None:
            problems.append(_problem(f"invoices[{k}].uuid", f"{paying.ref} is not an invoice of this team"))
        elif any(invoice.id == other.id for _, other, _ in found):
            problems.append(_problem(f"invoices[{k}].uuid", "an invoice may appear only once in a payment"))
        else:
            found.append((k, invoice, paying))
    validation.raise_for(problems, "Invalid payment complement")
    ComplementInvoiceRepository.from_session(session).lock_all([invoice for _, invoice, _ in found])
    documents = ComplementDocumentRepository.from_session(session)
    targets, overpaid = [], []
    for k, invoice, paying in found:
        path = f"invoices[{k}].uuid"
        if invoice.invoice_type != "I":
            problems.append(_problem(path, f"{paying.ref} is not an income invoice (type {invoice.invoice_type})"))
        elif invoice.status != "valid" or invoice.uuid is None:
            problems.append(_problem(path, f"{paying.ref} is {invoice.status}; only stamped invoices are paid",
                                     "CRP20999"))
        elif invoice.payment_method != "PPD":
            problems.append(_problem(path, f"Invoice {invoice.uuid} is {invoice.payment_method}; only PPD "
                                           "invoices take payment complements.", "CRP20999"))
        else:
            balance = exact(invoice.last_balance if invoice.last_balance is not None else invoice.total,
                            invoice.currency)
            amount = exact(paying.amount, invoice.currency)
            if amount > balance:
                overpaid.append(_problem(f"invoices[{k}].amount",
                                         f"{amount} {invoice.currency} exceeds the outstanding balance "
                                         f"{balance:f} {invoice.currency} of invoice {invoice.uuid}"))
            installment = documents.last_installment(auth.team_id, auth.livemode, invoice.id) + 1
            targets.append(Target(invoice, amount, paying.equivalence, installment, balance))
    validation.raise_for(problems, "Invalid payment complement")
    if overpaid:
        raise _overpayment(overpaid)
    receivers = {(t.invoice.client or {}).get("tax_id") for t in targets}
    if len(receivers) > 1:
        validation.raise_for([_problem("invoices", "the invoices of one payment must have the same receiver "
                                                   f"(found {', '.join(sorted(str(r) for r in receivers))})")],
                             "Invalid payment complement")
    return targets


def _receptor(snapshot: dict[str, Any]) -> Receptor:
    country = snapshot.get("country") or "MEX"
    foreign = country != "MEX"
    return Receptor(str(snapshot.get("tax_id") or ""), str(snapshot.get("legal_name") or ""),
                    str(snapshot.get("zip") or ""), str(snapshot.get("tax_system") or ""), "CP01",
                    residencia_fiscal=country if foreign else None,
                    num_reg_id_trib=snapshot.get("foreign_tax_id") if foreign else None)


def _paid_document(target: Target) -> PaidDocument:
    invoice = target.invoice
    assert invoice.xml is not None and invoice.uuid is not None
    taxes = taxes_of_cfdi(CFDI.from_xml(xmlsafe.parse(invoice.xml)))
    return PaidDocument(uuid=invoice.uuid, moneda=invoice.currency, num_parcialidad=target.installment,
                        imp_saldo_ant=target.previous_balance, imp_pagado=target.amount,
                        total=exact(invoice.total, invoice.currency),
                        taxes=taxes, equivalencia=target.equivalence, serie=invoice.series or None,
                        folio=str(invoice.folio_number))


def series_for(auth: AuthContext, asked: str | None) -> str:
    settings = auth.team.settings or {}
    configured = ((settings.get("default_series") or {}).get("complements") or {}).get("serie")
    if settings.get("force_series") and configured:
        return str(configured)
    return asked or configured or DEFAULT_SERIES


def _related(auth: AuthContext, targets: list[Target]) -> Any:
    known = {t.invoice.uuid: RelatedCfdi(
        exists=True, tipo="I", moneda=t.invoice.currency, total=t.invoice.total, metodo_pago="PPD",
        saldo=t.previous_balance, ultima_parcialidad=t.installment - 1, rfc_emisor=auth.team.tax_id,
        rfc_receptor=(t.invoice.client or {}).get("tax_id")) for t in targets}
    return lambda uuid: known.get(uuid.upper())


def compose(session: Session, auth: AuthContext, secret: str, request: ComplementRequest) -> ComposedComplement:
    """Resolve and lock the invoices, build the complement and check SAT's rules (400 on any problem)."""
    check_team(auth)
    csd, credential = active_csd(session, auth, secret)
    assert credential is not None
    targets = _targets(session, auth, request)
    team = auth.team
    snapshot = dict(targets[0].invoice.client or {})
    lugar = str((team.address or {})["zip"])
    paid_at = local_time(request.paid_at, lugar)
    validation.raise_for(guide.fecha_pago_problems(paid_at, lugar), "Invalid payment complement")
    payment = Payment(
        fecha_pago=paid_at, forma_de_pago_p=request.payment_form, moneda_p=request.currency,
        documents=[_paid_document(t) for t in targets], tipo_cambio_p=request.exchange_rate, monto=request.amount,
        num_operacion=request.operation_number, rfc_emisor_cta_ord=request.payer_bank.get("tax_id"),
        nom_banco_ord_ext=request.payer_bank.get("name"), cta_ordenante=request.payer_bank.get("account"),
        rfc_emisor_cta_ben=request.payee_bank.get("tax_id"), cta_beneficiario=request.payee_bank.get("account"))
    emisor = Emisor(team.tax_id or "", credential.razon_social or team.legal_name, team.tax_system or "")
    try:
        data = comprobante_pago(emisor, _receptor(snapshot), lugar, husos.local_now(lugar),
                                None, None, [payment], confirmacion=request.confirmation)
    except Overpayment as exc:
        raise _overpayment([_problem("invoices", str(exc))]) from None
    except PagosInputError as exc:
        raise ValidationFailed("Invalid payment complement", str(exc),
                               details=[{"field": None, "message": str(exc)}]) from None
    rate = rates.reference(session, request.currency, paid_at.date())
    ctx = validation.context(cert_not_before=credential.not_before, cert_not_after=credential.not_after,
                             cert_rfc=credential.rfc, related=_related(auth, targets), tax_field=None,
                             exchange_rate_limits={request.currency: rate.limits} if rate.limits else None)
    validation.raise_for(validation.violation_details(validate(build(data), ctx)), MESSAGE)
    return ComposedComplement(request=request, targets=targets, data=data, series=series_for(auth, request.series),
                              csd=csd, credential=credential, client_snapshot={**snapshot, "use": "CP01"},
                              client_id=targets[0].invoice.client_id, paid_at=paid_at,
                              warnings=[rate.warning] if rate.warning else [])
