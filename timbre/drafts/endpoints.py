"""Drafts API (spec §2.3): `POST/GET /invoices/draft`, `GET/PUT/DELETE /invoices/draft/{id}`,
`POST /invoices/draft/{id}/preview`, `POST /invoices/draft/{id}/stamp`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext, ReadAuth, WriteAuth
from timbre.clients.service import client as client_service
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.drafts import output, preview, stamp
from timbre.drafts.schemas import DraftCreate, DraftUpdate, StampInput
from timbre.drafts.service import draft as draft_service
from timbre.drafts.totals import totals
from timbre.errors import ERROR_RESPONSES, NotFound
from timbre.invoices.service import invoice as invoice_service
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.models import InvoiceDraft
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/invoices/draft", tags=["Drafts"], responses={
    **ERROR_RESPONSES, 402: {"description": "Team credit limit reached (`credit_limit`, `used_credits` in the body)"}})




def _out(session: Session, auth: AuthContext, found: InvoiceDraft) -> dict[str, Any]:
    client = None
    if found.client_id:
        try:
            client = client_service.get(session, auth, found.client_id)
        except NotFound:
            client = None
    invoice = invoice_service.get(session, auth, found.invoice_id) if found.invoice_id else None
    return output.serialize(found, client=client, invoice=invoice, amounts=totals(session, auth, found))


@router.post("", status_code=201, response_model=Envelope[dict[str, Any]])
def create_draft(body: DraftCreate, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Create a draft (pre-factura): `invoice_type` (I or E) is required, every other field of an invoice
    is optional and can be added later. Drafts spend no folio and no credit until stamped."""
    return ok("Draft created successfully", _out(session, auth, draft_service.create(session, auth, body)))


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_drafts(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params),
                invoice_type: Literal["I", "E"] | None = Query(None),
                client_id: str | None = Query(None, max_length=60),
                status: Literal["draft", "stamped"] | None = Query(None)) -> dict[str, Any]:
    """List drafts, newest first (filters: `invoice_type`, `client_id`, `status`)."""
    page = draft_service.list_drafts(session, auth, params, invoice_type=invoice_type, client_id=client_id,
                                     status=status)
    return listing("Drafts retrieved successfully", [_out(session, auth, d) for d in page.items],
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/{draft_id}", response_model=Envelope[dict[str, Any]])
def get_draft(draft_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a draft."""
    return ok("Draft retrieved successfully", _out(session, auth, draft_service.get(session, auth, draft_id)))


@router.put("/{draft_id}", response_model=Envelope[dict[str, Any]])
def update_draft(draft_id: str, body: DraftUpdate, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Set the fields given (`client` and `items` are replaced whole); `null` clears a field."""
    return ok("Draft updated successfully", _out(session, auth, draft_service.update(session, auth, draft_id, body)))


@router.delete("/{draft_id}", response_model=Envelope[dict[str, Any]])
def delete_draft(draft_id: str, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Delete a draft (an invoice it became stays)."""
    draft_service.delete(session, auth, draft_id)
    return ok("Draft deleted successfully", {"id": draft_id, "deleted": True})


@router.post("/{draft_id}/preview", response_model=Envelope[dict[str, Any]])
def preview_draft(draft_id: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep) -> dict[str, Any]:
    """The invoice the draft would become, as a PDF watermarked `PREFACTURA-0000-0000-0000-SINVALIDEZ`
    (`pdf_base64`, and a download `url`): no folio, no credit, no stamp."""
    return ok("Preview generated successfully", preview.preview(session, auth, settings, draft_id))


@router.post("/{draft_id}/stamp", status_code=201, response_model=Envelope[dict[str, Any]])
def stamp_draft(draft_id: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                response: Response, body: StampInput | None = None) -> dict[str, Any]:
    """Stamp the draft into an invoice (`send_email`, `return_files`: the XML and PDF in base64). It needs a
    client and at least one item (400 `Draft is incomplete — …`); SAT's rules are checked first (400 listing
    every violation; the draft stays a draft and keeps them in `errors`); 402 at the credit limit."""
    options = body or StampInput()
    done = stamp.stamp(session, auth, settings, draft_id, send_email=options.send_email,
                       return_files=options.return_files)
    data = invoice_service.output(settings, done.created.invoice)
    if done.files is not None:
        data["files"] = done.files
    data["draft_id"] = draft_id
    data["warnings"] = done.created.warnings + sat_lists.warnings(
        session, (done.created.invoice.client or {}).get("tax_id"))
    if done.created.status == "pending":
        response.status_code = 202
        return ok("Invoice accepted from draft; the PAC did not answer and stamping will be retried", data)
    return ok("Invoice created from draft", data)
