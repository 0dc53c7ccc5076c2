"""What follows a paid payment, per `automation_type` (every spelling of spec §1 is normalised to
pue_invoice, ppd_invoice_and_complement, receipt or none) and the team's settings:

- a payment of an existing PPD invoice (`ppd_invoice_id`) → that invoice's payment complement;
- `pue_invoice` → a stamped PUE income invoice of the payment's items;
- `ppd_invoice_and_complement` → a PPD invoice, then the complement of this payment;
- `receipt`, or a client without fiscal data → a receipt for self-invoicing (`receipts.from_payment`,
  made in the transaction that locks the payment: `receipt_id`, `automation.status = receipt_pending`);
- `none`, or a currency in `avoid_automations_on_currencies` → nothing (`none` / `skipped`).
`automate_complement_for_ppd_invoices: false` stops complements; `automate_partial_payment_complements:
false` stops those of partial payments (both are reported in `automation.error`).

Run after the payment's commit: inline by the request, and by `tasks.sweep_automations` for anything
left unfinished (a PAC that did not answer, a crash). Each step is exactly-once: the document is
reserved in the transaction that locks the payment and records it there (`invoices.linked.Link`), so
a second run finds it instead of issuing another. States: pending → (waiting) → done | failed |
skipped | receipt_pending | none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.resolver import assert_ready_for_invoicing
from timbre.clients.service import client as client_service
from timbre.complements import balances  # noqa: F401  # the balance release must be registered wherever complements change
from timbre.complements.compose import ComplementRequest, Paying
from timbre.complements.create import create as create_complement
from timbre.config import Settings
from timbre.errors import NotFound, TimbreError, ValidationFailed
from timbre.invoices.items import item_inputs
from timbre.invoices.linked import create_linked
from timbre.invoices.schemas import InvoiceInput
from timbre.kit.clock import now_ms
from timbre.models import Invoice, Payment
from timbre.payments.repository import PaymentInvoiceRepository, PaymentRepository
from timbre.receipts.from_payment import receipt_for_payment

log = logging.getLogger("timbre.payments")
Step = Literal["invoice", "complement", "receipt", "wait", "fail", "done", "skip", "stop"]
_MAX_STEPS = 4


@dataclass(frozen=True, slots=True)
class Plan:
    step: Step
    detail: Any = None


class PaymentLink:
    """Ties the document an automation issues to its payment (`invoices.linked.Link`)."""

    def __init__(self, payment: Payment, field: Literal["invoice_id", "complement_id"]) -> None:
        self.payment_id, self.team_id, self.livemode, self.field = payment.id, payment.team_id, payment.livemode, field

    def _locked(self, session: Session) -> Payment:
        repo = PaymentRepository.from_session(session)
        payment = repo.get_scoped(self.payment_id, self.team_id, self.livemode)
        if payment is None:
            raise NotFound("Payment not found", "The specified payment does not exist")
        repo.lock(payment)
        return payment

    def claim(self, session: Session) -> bool:
        return getattr(self._locked(session), self.field) is None

    def attach(self, session: Session, invoice: Invoice) -> None:
        payment = self._locked(session)
        setattr(payment, self.field, invoice.id)
        payment.automation_status = "waiting"


def _has_fiscal_data(session: Session, auth: AuthContext, payment: Payment) -> bool:
    try:
        client = client_service.get(session, auth, payment.client_id or "")
        assert_ready_for_invoicing(client)
    except NotFound:
        return False
    except ValidationFailed as exc:
        # The invoice always has a use (payment, client, team or default): only that may be missing.
        return all(d.get("field") == "use" and d.get("rule") == "required" for d in exc.details or [])
    return True


def _document_plan(invoice: Invoice) -> Plan | None:
    """What a document an automation issued means for it: None when it is stamped."""
    if invoice.status == "pending":
        return Plan("wait")
    if invoice.status == "failed":
        return Plan("fail", {"code": "stamp_rejected", "message": f"The PAC rejected the {invoice.invoice_type} "
                             "document", "document_id": invoice.id, "error": invoice.error})
    return None


def _complement_plan(session: Session, auth: AuthContext, payment: Payment, target: Invoice) -> Plan:
    settings = auth.team.settings or {}
    if payment.complement_id is not None:
        complement = PaymentInvoiceRepository.from_session(session).by_ids(
            auth.team_id, auth.livemode, [payment.complement_id]).get(payment.complement_id)
        return (_document_plan(complement) if complement is not None else None) or Plan("done")
    if target.status == "pending":
        return Plan("wait")
    if settings.get("automate_complement_for_ppd_invoices") is False:
        return Plan("done", {"code": "complement_not_automated", "message": "The team's settings "
                             "(automate_complement_for_ppd_invoices) leave payment complements to be issued by hand"})
    balance = target.last_balance if target.last_balance is not None else target.total
    if settings.get("automate_partial_payment_complements") is False and payment.total < balance:
        return Plan("done", {"code": "complement_not_automated", "message": "A partial payment: the team's settings "
                             "(automate_partial_payment_complements) leave its complement to be issued by hand"})
    return Plan("complement", target)


def plan(session: Session, auth: AuthContext, payment: Payment) -> Plan:
    """The next step of the payment's automation, from what is recorded now."""
    if payment.status != "succeeded" or payment.automation_status not in ("pending", "waiting"):
        return Plan("stop")
    settings = auth.team.settings or {}
    if payment.automation_type == "none":
        return Plan("done")
    if payment.currency in (settings.get("avoid_automations_on_currencies") or []):
        return Plan("skip", {"code": "currency_excluded", "message": f"The team's settings exclude {payment.currency} "
                             "payments from automations (avoid_automations_on_currencies)"})
    invoices = PaymentInvoiceRepository.from_session(session)
    if payment.ppd_invoice_id:
        target = invoices.by_ids(auth.team_id, auth.livemode, [payment.ppd_invoice_id]).get(payment.ppd_invoice_id)
        if target is None:
            return Plan("fail", {"code": "invoice_not_found", "message": "The PPD invoice no longer exists"})
        return _complement_plan(session, auth, payment, target)
    if payment.invoice_id is None:
        if payment.automation_type == "receipt" or not payment.items or not _has_fiscal_data(session, auth, payment):
            return Plan("receipt")
        return Plan("invoice", "PPD" if payment.automation_type == "ppd_invoice_and_complement" else "PUE")
    invoice = invoices.by_ids(auth.team_id, auth.livemode, [payment.invoice_id]).get(payment.invoice_id)
    if invoice is None:
        return Plan("fail", {"code": "invoice_not_found", "message": "The payment's invoice no longer exists"})
    waiting = _document_plan(invoice)
    if waiting is not None or payment.automation_type != "ppd_invoice_and_complement":
        return waiting or Plan("done")
    return _complement_plan(session, auth, payment, invoice)


def invoice_body(payment: Payment, method: str) -> InvoiceInput:
    """The invoice of a payment: its client and exactly its priced items."""
    items = item_inputs(payment.items)
    return InvoiceInput.model_validate({
        "automation_type": "ppd_invoice_and_complement" if method == "PPD" else "pue_invoice",
        "client": {"id": payment.client_id}, "items": items, "currency": payment.currency,
        "exchange_rate": payment.exchange_rate, "use": (payment.client or {}).get("use"),
        "payment_form": "99" if method == "PPD" else payment.payment_form, "payment_method": method,
        "metadata": {**(payment.metadata_ or {}), "payment_id": payment.id},
        "send_email": payment.send_email, "emails": payment.emails or None,
    })


def complement_request(payment: Payment, target: Invoice) -> ComplementRequest:
    assert payment.payment_form is not None and payment.succeeded_at is not None
    return ComplementRequest(
        invoices=[Paying(target.id, payment.total)], payment_form=payment.payment_form, currency=payment.currency,
        paid_at=payment.succeeded_at, exchange_rate=payment.exchange_rate,
        operation_number=payment.operation_number, metadata={**(payment.metadata_ or {}), "payment_id": payment.id},
        payment_id=payment.id, send_email=payment.send_email, emails=tuple(payment.emails or ()))


def _record(session: Session, auth: AuthContext, payment_id: str, status: str, error: Any = None, *,
            receipt: bool = False) -> None:
    repo = PaymentRepository.from_session(session)
    payment = repo.get_scoped(payment_id, auth.team_id, auth.livemode)
    if payment is None:
        return
    repo.lock(payment)
    payment.automation_status = status
    payment.automation_error = error
    if receipt and not (payment.receipt or {}).get("id"):
        made = receipt_for_payment(session, auth.team, payment)
        payment.receipt = {"status": "pending", "id": made.id, "created_at": now_ms()}
    session.commit()


def run(session: Session, auth: AuthContext, settings: Settings, payment_id: str) -> None:
    """Advance the automation as far as it can go now (TimbreErrors end it as `failed`)."""
    repo = PaymentRepository.from_session(session)
    for _ in range(_MAX_STEPS):
        session.commit()
        payment = repo.get_scoped(payment_id, auth.team_id, auth.livemode)
        if payment is None:
            return
        repo.lock(payment)
        next_step = plan(session, auth, payment)
        session.commit()
        if next_step.step == "stop":
            return
        if next_step.step in ("done", "skip", "fail", "wait", "receipt"):
            status = {"done": "done", "skip": "skipped", "fail": "failed", "wait": "waiting",
                      "receipt": "receipt_pending"}[next_step.step]
            error = next_step.detail if next_step.step != "receipt" else None
            _record(session, auth, payment_id, status, error, receipt=next_step.step == "receipt")
            return
        try:
            if next_step.step == "invoice":
                create_linked(session, auth, settings, invoice_body(payment, next_step.detail), "I",
                              PaymentLink(payment, "invoice_id"))
            else:
                create_complement(session, auth, settings, complement_request(payment, next_step.detail),
                                  link=PaymentLink(payment, "complement_id"))
        except TimbreError as exc:
            session.rollback()
            _record(session, auth, payment_id, "failed", {"code": exc.error_code, "message": exc.message,
                                                          "detail": exc.detail, "details": exc.details})
            return


def run_safely(session: Session, auth: AuthContext, settings: Settings, payment_id: str) -> None:
    """`run` for callers that already committed the payment: a bug must not turn that into an error
    (the sweep retries the automation later)."""
    try:
        run(session, auth, settings, payment_id)
    except Exception:
        session.rollback()
        log.exception("automation of payment %s stopped; the sweep will resume it", payment_id)
