"""Receipts API (spec §2.5, addendum §1), the global-invoice run (`POST /invoices/eom/run`) and a
client's pending receipts (`POST /clients/{id}/stamp-pending-receipts`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Response

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES
from timbre.invoices.service import invoice as invoice_service
from timbre.kit.envelope import Envelope, ListEnvelope, created_or_existing, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.models import Team
from timbre.receipts import create, files, pending, stamp
from timbre.receipts import globals as global_invoices
from timbre.receipts.schemas import EomInput, ReceiptInput, ReceiptUpdate, ReopenInput, StampInput, Status
from timbre.receipts.service import receipt as receipt_service
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/receipts", tags=["Receipts"], responses={
    **ERROR_RESPONSES, 402: {"description": "Team credit limit reached (stamping)"}})
eom_router = APIRouter(prefix="/invoices", tags=["Invoices"], responses=ERROR_RESPONSES)
clients_router = APIRouter(prefix="/clients", tags=["Clients"], responses=ERROR_RESPONSES)
_KEY = Header(None, alias="Idempotency-Key", max_length=255, include_in_schema=False)


class ReceiptSearchEnvelope(ListEnvelope[dict[str, Any]]):
    found: int
    per_page: int


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_receipts(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                  params: ListParams = Depends(list_params), status: Status | None = Query(None),
                  client_id: str | None = Query(None, max_length=60)) -> dict[str, Any]:
    """List receipts, newest first. `status`: pending (= open) | invoiced | completed | expired | cancelled."""
    page = receipt_service.list_receipts(session, auth, params, status=status, client_id=client_id)
    return listing("Receipts retrieved successfully", receipt_service.outputs(session, settings, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/search", response_model=ReceiptSearchEnvelope)
def search_receipts(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                    q: str = Query(..., min_length=1, max_length=200, description="Words of the receipt's id or folio "
                                   "(R-12), the client's names, RFC or e-mail, or metadata values"),
                    status: Status | None = Query(None), client_id: str | None = Query(None, max_length=60),
                    fields: str | None = Query(None, max_length=500, description="Accepted; every field is returned"),
                    params: ListParams = Depends(list_params)) -> dict[str, Any]:
    """Search receipts; paginated by `page` (`found`, `page`, `per_page`)."""
    page = receipt_service.search(session, auth, q, params, status=status, client_id=client_id)
    body = listing("Receipts retrieved successfully", receipt_service.outputs(session, settings, page.items),
                   next=None, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)
    body.update(found=page.total, per_page=params.limit)
    return body


@router.post("", status_code=201, response_model=Envelope[dict[str, Any]],
             responses={200: {"description": "A receipt with this idempotency_key already exists"}})
def create_receipt(body: ReceiptInput, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                   response: Response, idempotency_key: str | None = _KEY) -> dict[str, Any]:
    """Create a receipt: its own folio (series `R`), the items priced with the team's taxes, a validity
    (`valid_until`, else the `periodicity` span) and `url`, the signed self-invoice link where the customer
    invoices it. `send_email` e-mails its PDF and link. A retry with the same `idempotency_key` returns the
    first receipt (200)."""
    stored = create.create(session, auth, body, idempotency_key)
    data = receipt_service.output(session, settings, stored.receipt)
    return created_or_existing(response, stored.created, data, created_message="Receipt created successfully",
                               existing_message="Receipt already created")


@router.get("/{receipt_id}", response_model=Envelope[dict[str, Any]])
def get_receipt(receipt_id: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Get a receipt (with the invoice or global invoice it became)."""
    return ok("Receipt retrieved successfully",
              receipt_service.output(session, settings, receipt_service.get(session, auth, receipt_id)))


@router.put("/{receipt_id}", response_model=Envelope[dict[str, Any]])
def update_receipt(receipt_id: str, body: ReceiptUpdate, auth: WriteAuth, session: SessionDep,
                   settings: SettingsDep) -> dict[str, Any]:
    """Update an open receipt: `items` (re-priced), `client`, `payment_form`, `metadata` (merged; null removes
    a key). An invoiced, completed or cancelled receipt is a 400."""
    updated = create.update(session, auth, receipt_id, body)
    return ok("Receipt updated successfully", receipt_service.output(session, settings, updated))


@router.delete("/{receipt_id}", response_model=Envelope[dict[str, Any]])
def cancel_receipt(receipt_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Cancel an open or expired receipt: it can no longer be invoiced and stays out of global invoices."""
    cancelled = create.cancel(session, auth, receipt_id)
    return ok("Receipt cancelled successfully", receipt_service.output(session, settings, cancelled))


@router.post("/{receipt_id}/stamp", response_model=Envelope[dict[str, Any]],
             responses={200: {"description": "Invoiced now, or already invoiced (the same invoice)"}})
def stamp_receipt(receipt_id: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                  body: StampInput | None = None) -> dict[str, Any]:
    """Invoice the receipt now: to its client, or to `fiscal_information` (the client is found by RFC and
    updated, or created). Stamps once: a repeated call returns the same invoice. A receipt already in a
    global invoice follows SAT's procedure (the global invoice is cancelled with motive 04 and issued
    again without it). `data` is the invoice; `data.receipt` the receipt."""
    receipt = receipt_service.get(session, auth, receipt_id)
    done = stamp.stamp(session, auth, settings, receipt, body or StampInput())
    data = invoice_service.output(settings, done.invoice, auth=auth)
    data["receipt"] = receipt_service.output(session, settings, done.receipt)
    data["warnings"] = sat_lists.warnings(session, (done.invoice.client or {}).get("tax_id"))
    return ok("Receipt stamped successfully" if done.created else "Receipt already invoiced", data)


@router.post("/{receipt_id}/reopen", response_model=Envelope[dict[str, Any]])
def reopen_receipt(receipt_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                   body: ReopenInput | None = None) -> dict[str, Any]:
    """Reopen an expired or cancelled receipt that no invoice includes, for another validity span (optional
    `reason`, kept in `history`)."""
    reopened = create.reopen(session, auth, receipt_id, body or ReopenInput())
    return ok("Receipt reopened successfully", receipt_service.output(session, settings, reopened))


@router.get("/{receipt_id}/files", response_model=Envelope[dict[str, str]])
def receipt_files(receipt_id: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """`data.pdf`: a signed link (1 hour) to the receipt's PDF ticket, with its self-invoice QR code."""
    receipt = receipt_service.get(session, auth, receipt_id)
    return ok("Receipt files retrieved successfully", {"pdf": files.pdf_link(settings, receipt, auth.team)})


@router.post("/{receipt_id}/send", response_model=Envelope[dict[str, Any]])
def send_receipt(receipt_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """E-mail the receipt (PDF and self-invoice links) to its client; nothing is sent when the team set
    `emails.avoid_receipts_emails` (`data.suppressed`)."""
    receipt = receipt_service.get(session, auth, receipt_id)
    team = session.get(Team, auth.team_id)
    assert team is not None
    return ok("Receipt sent successfully", files.send(session, settings, receipt, team, None))


@eom_router.post("/eom/run", response_model=Envelope[dict[str, Any]])
def run_global_invoices(session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                        body: EomInput | None = None) -> dict[str, Any]:
    """Issue the global invoices (público en general) of the caller's team and mode now, as the daily job
    does at 23:59 Mexico City: every closed period's unclaimed receipts, one Concepto each. `year` and
    `month` limit it to one month. Running it again adds nothing."""
    only = (body.year, body.month) if body is not None and body.year and body.month else None
    result = global_invoices.run(session, auth, settings, only=only)
    return ok("Global invoices issued", result.to_dict())


@clients_router.post("/{client_id}/stamp-pending-receipts", response_model=Envelope[dict[str, Any]])
def stamp_pending_receipts(client_id: str, session: DeferredSession, auth: WriteAuth,
                           settings: SettingsDep) -> dict[str, Any]:
    """Invoice the client's open receipts (at most 100 per call) in one CFDI, one Concepto per receipt item,
    when the client has valid fiscal data (else a 400 saying what is missing). `data`: `stamped`, `failed`,
    `remaining`, `results[{id, status}]`, `invoice_id`."""
    return ok("Pending receipts stamped", pending.stamp_pending(session, auth, settings, client_id))
