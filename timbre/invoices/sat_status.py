"""An invoice's status at SAT (`PUT /invoices/{uuid}/status`, the poll of pending cancellations, and the test-only
answer of the receiver): ask SAT's Consulta de estado (`satws.services.status_service`: the simulated SAT in test
mode, SAT's service in live mode), keep its answer in `sat_status`, and follow it:

    Estado "Cancelado"                          → `status: cancelled`, `invoice.canceled`
    EstatusCancelacion "En proceso"             → `cancellation_status: pending`, `invoice.cancellation_status_updated`
    EstatusCancelacion "Solicitud rechazada"    → `cancellation_status: rejected`, `invoice.cancellation_status_updated`

SAT is asked outside any transaction; the invoice is then re-read under lock and updated in one short one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi import xmlsafe
from timbre.cfdi.seal import CFDI_NS
from timbre.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from timbre.invoices.cancel import NOT_FOUND, mark_cancelled
from timbre.invoices.events import emit_cancellation_status, emit_status
from timbre.invoices.repository import InvoiceRepository
from timbre.kit.clock import now_ms
from timbre.models import Invoice
from timbre.satws.base import CfdiStatus, SatUnavailable, StatusQuery
from timbre.satws.services import simulated_status, status_service
from timbre.satws.simulated_status import CancellationNotPending

PENDING, REJECTED = "En proceso", "Solicitud rechazada"


def status_query(invoice: Invoice) -> StatusQuery:
    """SAT's printed expression of a stamped invoice, read from its XML (Total exactly as written)."""
    assert invoice.xml is not None and invoice.uuid is not None
    root = xmlsafe.parse(invoice.xml)
    return StatusQuery(issuer_rfc=root.find(f"{{{CFDI_NS}}}Emisor").get("Rfc"),
                       receiver_rfc=root.find(f"{{{CFDI_NS}}}Receptor").get("Rfc"),
                       total=root.get("Total"), uuid=invoice.uuid, seal_tail=(root.get("Sello") or "")[-8:])


def ask(livemode: bool, query: StatusQuery) -> CfdiStatus:
    try:
        return status_service(livemode).status(query)
    except SatUnavailable as exc:
        raise ServiceUnavailable("SAT is unavailable", str(exc), code="sat_unavailable") from None


def apply(session: Session, invoice: Invoice, answer: CfdiStatus) -> None:
    """Record SAT's answer on the invoice (locked) and follow it; emits the event of a change."""
    InvoiceRepository.from_session(session).lock(invoice)
    now = now_ms()
    invoice.sat_status = {"state": answer.state, "cancellable": answer.cancellable,
                          "cancellation_status": answer.cancellation_status or None,
                          "efos_validation": answer.efos_validation or None, "code": answer.code,
                          "checked_at": now // 1000}
    if answer.state == "Cancelado":
        if invoice.status != "cancelled":
            mark_cancelled(invoice, now)
            invoice.cancellation = {**(invoice.cancellation or {}),
                                    "sat_cancellation_status": answer.cancellation_status}
            emit_status(session, invoice)
        return
    if answer.state != "Vigente" or invoice.status != "valid":
        return  # "No Encontrado" (SAT may not have it yet): recorded, nothing follows
    wanted = {PENDING: "pending", REJECTED: "rejected"}.get(answer.cancellation_status, invoice.cancellation_status)
    if wanted != invoice.cancellation_status:
        invoice.cancellation_status = wanted
        emit_cancellation_status(session, invoice)


def _stamped(session: Session, auth: AuthContext, ref: str) -> Invoice:
    invoice = InvoiceRepository.from_session(session).by_ref(auth.team_id, auth.livemode, ref)
    if invoice is None:
        raise NotFound(*NOT_FOUND)
    if invoice.status not in ("valid", "cancelled") or invoice.uuid is None or invoice.xml is None:
        raise BadRequest("Invoice not stamped", f"SAT knows stamped invoices only (status: {invoice.status})",
                         code="invoice_not_stamped")
    return invoice


def refresh(session: Session, auth: AuthContext, ref: str) -> Invoice:
    """Ask SAT for the invoice's status and follow it (`PUT /invoices/{uuid}/status`)."""
    session.commit()  # end the authentication's read transaction: SAT is asked outside any
    invoice = _stamped(session, auth, ref)
    query = status_query(invoice)
    session.commit()
    answer = ask(auth.livemode, query)
    apply(session, invoice, answer)
    session.commit()
    return invoice


def answer_cancellation(session: Session, auth: AuthContext, ref: str, accept: bool) -> Invoice:
    """Test mode only: the receiver accepts or refuses a cancellation SAT routed to it; the invoice then follows
    SAT at once (as the poll would)."""
    if auth.livemode:
        raise NotFound("Not found", "The receiver's answer is given at SAT's portal in live mode")
    session.commit()
    invoice = _stamped(session, auth, ref)
    uuid = invoice.uuid
    session.commit()
    assert uuid is not None
    try:
        simulated_status().answer(uuid, accept)
    except CancellationNotPending as exc:
        state = f" (SAT: {exc.status})" if exc.status else ""
        raise Conflict("No cancellation awaits an answer", f"The cancellation of {uuid} does not await the "
                       f"receiver's answer{state}", code="cancellation_not_pending") from None
    return refresh(session, auth, ref)
