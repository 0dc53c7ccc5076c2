"""Cancel a stamped invoice (spec: `DELETE /invoices/{uuid}` with `{motive, substitution_uuid}`; gigstack's
CLI sends the substitute as `replacement`).

SAT's motive rules (c_MotivoCancelacion): 01 "errors, with relation" needs the substitute — a valid
invoice of the team that relates to this one with relationship 04 (issue the substitute first); 02,
03 and 04 carry no substitute. An invoice that other valid documents depend on cannot be cancelled
until they are: the checks are pluggable (`DEPENDENT_CHECKS`) so later documents (payment
complements) add theirs; the one here covers credit notes and any document relating to the invoice.

The PAC is called outside any transaction; SAT's acknowledgement (acuse) is kept with the invoice. When SAT
routes the request to the receiver for acceptance (the PAC reports EstatusCancelacion "En proceso"), the
invoice stays `valid` with `cancellation_status: pending` until SAT cancels it (acceptance, or 72 hours without
an answer) or the receiver refuses (`rejected`): `invoices.sat_status` follows SAT (`PUT /invoices/{uuid}/status`
and the poll). A pending cancellation is not requested twice (409 `cancellation_pending`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.pac import PacRejected, PacUnavailable
from timbre.config import Settings
from timbre.errors import BadRequest, BusinessRuleViolation, Conflict, NotFound, ServiceUnavailable, ValidationFailed
from timbre.invoices.events import emit_cancellation_status, emit_status
from timbre.invoices.files import acuse_key
from timbre.invoices.repository import InvoiceRepository
from timbre.invoices.schemas import CancelInput
from timbre.invoices.stamping import pac_for
from timbre.kit.clock import now_ms
from timbre.kit.storage import StorageError, get_storage
from timbre.models import Invoice
from timbre.sat.service import sat_connection

MOTIVES = {"01": "Comprobante emitido con errores con relación", "02": "Comprobante emitido con errores sin relación",
           "03": "No se llevó a cabo la operación", "04": "Operación nominativa relacionada en una factura global"}
ACCEPTED = {"201", "202"}  # SAT's EstatusUUID: request accepted / already cancelled
NOT_FOUND = ("Invoice not found", "The specified invoice does not exist")

DependentCheck = Callable[[Session, Invoice], str | None]


def _related_documents(session: Session, invoice: Invoice) -> str | None:
    assert invoice.uuid is not None
    found = InvoiceRepository.from_session(session).dependents(invoice.team_id, invoice.livemode, invoice.uuid)
    if not found:
        return None
    return "Invoice has dependent documents that must be cancelled first: " + \
        ", ".join(d.uuid or d.id for d in found)


# Each returns why the invoice cannot be cancelled, or None. Payment complements register theirs
# ("Invoice has dependent payment complements").
DEPENDENT_CHECKS: list[DependentCheck] = [_related_documents]


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("Invalid cancellation", f"{field}: {message}",
                            details=[{"field": field, "message": f"{field}: {message}"}])


def _check_motive(session: Session, invoice: Invoice, body: CancelInput) -> None:
    if body.motive not in MOTIVES:
        raise _invalid("motive", "must be 01, 02, 03 or 04 (c_MotivoCancelacion)")
    substitute = body.substitute
    if body.motive != "01":
        if substitute:
            raise _invalid("substitution_uuid", "only motive 01 carries a substitute")
        return
    if not substitute:
        raise _invalid("substitution_uuid", "motive 01 requires the UUID of the invoice that substitutes this one")
    if substitute == invoice.uuid:
        raise _invalid("substitution_uuid", "an invoice cannot substitute itself")
    found = InvoiceRepository.from_session(session).by_uuids(invoice.team_id, invoice.livemode, [substitute])
    if not found or found[0].status != "valid":
        raise _invalid("substitution_uuid", f"{substitute} is not a valid invoice of this team")
    if f"|04:{invoice.uuid}|" not in (found[0].related_text or ""):
        raise _invalid("substitution_uuid", f"{substitute} must relate to {invoice.uuid} with relationship 04 "
                                            "(sustitución de los CFDI previos)")


def cancel(session: Session, auth: AuthContext, settings: Settings, ref: str, body: CancelInput) -> Invoice:
    session.commit()  # end the read-only authentication transaction
    repo = InvoiceRepository.from_session(session)
    invoice = repo.by_ref(auth.team_id, auth.livemode, ref)
    if invoice is None:
        raise NotFound(*NOT_FOUND)
    if invoice.status == "cancelled":
        raise Conflict("Invoice already cancelled", f"Invoice {invoice.uuid} is already cancelled",
                       code="already_cancelled")
    if invoice.status != "valid" or invoice.uuid is None:
        raise BadRequest("Cannot cancel invoice", f"Only stamped invoices can be cancelled (status: {invoice.status})",
                         code="invoice_not_stamped")
    if invoice.cancellation_status == "pending":
        raise Conflict("Cancellation pending", f"The cancellation of {invoice.uuid} awaits the receiver's acceptance "
                       "(SAT: En proceso)", code="cancellation_pending")
    _check_motive(session, invoice, body)
    for check in DEPENDENT_CHECKS:
        reason = check(session, invoice)
        if reason:
            raise BusinessRuleViolation("Cannot cancel invoice", reason, code="has_dependent_documents")
    pac = pac_for(settings, auth.livemode)
    csd = sat_connection.by_no_certificado(session, auth.team_id, auth.livemode, invoice.no_certificado or "")
    credential = sat_connection.credential(settings.secret(), csd) if csd is not None else None
    rfc_emisor = str((invoice.stamp or {}).get("rfc_emisor") or auth.team.tax_id or "")
    uuid, motive, substitute = invoice.uuid, body.motive, body.substitute
    session.commit()

    try:
        result = pac.cancel(uuid, rfc_emisor, motive, substitute, credential=credential)
    except PacUnavailable as exc:
        raise ServiceUnavailable("Cancellation service unavailable", exc.message, code="pac_unavailable") from None
    except PacRejected as exc:
        raise BadRequest("Cannot cancel invoice", f"{exc.code}: {exc.reason}" if exc.code else exc.reason,
                         code="pac_rejected", details=list(exc.details)) from None
    except ValueError as exc:  # e.g. a PAC that needs the CSD when none is stored
        raise BadRequest("Cannot cancel invoice", str(exc), code="pac_rejected") from None
    if result.status not in ACCEPTED:
        raise BadRequest("Cannot cancel invoice", f"SAT answered EstatusUUID {result.status}", code="pac_rejected")

    repo.lock(invoice)
    if invoice.status == "cancelled":
        return invoice
    now = now_ms()
    invoice.cancellation = {"motive": motive, "motive_description": MOTIVES[motive], "substitution_uuid": substitute,
                            "requested_at": now // 1000, "cancelled_at": None, "sat_status": result.status,
                            "pac": pac.name}
    invoice.acuse_xml = result.acuse_xml
    if result.acuse_xml is not None:
        with contextlib.suppress(StorageError, OSError):  # else served from the database copy later
            get_storage(settings).put(acuse_key(invoice), result.acuse_xml, "application/xml")
    if result.cancellation_status == "En proceso":  # SAT asks the receiver: the invoice stays valid meanwhile
        invoice.cancellation_status = "pending"
        if invoice.sat_status:  # SAT's earlier answer, with what SAT just said through the PAC
            invoice.sat_status = {**invoice.sat_status, "cancellation_status": result.cancellation_status,
                                  "checked_at": now // 1000}
        emit_cancellation_status(session, invoice)
    else:
        mark_cancelled(invoice, now)
        emit_status(session, invoice)
    session.commit()
    return invoice


def mark_cancelled(invoice: Invoice, now: int) -> None:
    """The invoice as SAT cancelled it (at once, or after a pending cancellation ended); the caller emits."""
    invoice.status = "cancelled"
    invoice.cancellation_status = "cancelled"
    invoice.cancellation = {**(invoice.cancellation or {}), "cancelled_at": now // 1000}
    invoice.last_balance = None if invoice.payment_method != "PPD" else invoice.last_balance
