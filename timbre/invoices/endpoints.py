"""Invoices API (spec §2.3): income and egress CFDI, their files, cancellation, validation and SAT's
error catalog."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.cfdi.rules import ERROR_TYPES
from timbre.clients import support_docs
from timbre.clients.endpoints import UPLOAD_BODY, UPLOAD_RESPONSES
from timbre.clients.schemas import SupportDocumentOut
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.invoices import cancel as cancel_use_case
from timbre.invoices import create as create_use_case
from timbre.invoices import files
from timbre.invoices import sat_status as sat_status_use_case
from timbre.invoices import send as send_use_case
from timbre.invoices.compose import InvoiceType
from timbre.invoices.dry_run import dry_run
from timbre.invoices.events import emitted
from timbre.invoices.schemas import CancelInput, CancellationAnswerInput, InvoiceInput, SendInput
from timbre.invoices.service import invoice as invoice_service
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok, rendered_listing
from timbre.kit.pagination import ListParams, list_params
from timbre.kit.storage import get_storage
from timbre.kit.uploads import MultipartForm, read_multipart
from timbre.models import Invoice

router = APIRouter(prefix="/invoices", tags=["Invoices"], responses={
    **ERROR_RESPONSES,
    402: {"description": "Team credit limit reached (`credit_limit`, `used_credits` in the body)"},
    503: {"description": "The PAC is unavailable (cancellation); retry later"},
})
Status = Literal["pending", "valid", "failed", "cancelled"]




def _create(kind: InvoiceType, body: InvoiceInput, auth: Any, session: Session, settings: Any) -> JSONResponse:
    created = create_use_case.create(session, auth, settings, body, kind)
    if created.status == "failed":
        error = created.invoice.error or {}

        raise BadRequest("Failed to stamp invoice", f"{error.get('code')}: {error.get('message')}",
                         code="stamp_rejected", details=error.get("details"),
                         extra={"invoice_id": created.invoice.id})
    # The invoice as its event carries it (serialized once), unless the files' links are asked for.
    data = None if body.return_files_urls else emitted(session, created.invoice)
    if data is None:
        data = invoice_service.output(settings, created.invoice, with_files=body.return_files_urls, auth=auth)
    # accepted but unchecked (no FIX rate known for the day), or a receiver on one of SAT's lists
    data["warnings"] = created.warnings
    # The invoice is already plain JSON (output.serialize): skip re-validating it against the response model.
    if created.status == "pending":
        return JSONResponse(ok("Invoice accepted; the PAC did not answer and stamping will be retried", data),
                            status_code=202)
    return JSONResponse(ok("Invoice created successfully", data), status_code=201)


def _list(kind: str, auth: Any, session: Session, settings: Any, params: ListParams, status: str | None,
          client_id: str | None, series: str | None, payment_method: str | None) -> Response:
    page = invoice_service.list_invoices(session, auth, kind, params, status=status, client_id=client_id, series=series,
                                payment_method=payment_method)
    return rendered_listing("Invoices retrieved successfully", invoice_service.outputs(settings, session, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


_STATUS = Query(None, description="pending, valid, failed or cancelled")
_CLIENT = Query(None, max_length=60, description="Only this client's invoices")
_SERIES = Query(None, max_length=10, description="Only this series")
_METHOD = Query(None, description="PUE or PPD")


@router.post("/income", status_code=201, response_model=Envelope[dict[str, Any]])
def create_income(session: DeferredSession, body: InvoiceInput, auth: WriteAuth,
                  settings: SettingsDep) -> JSONResponse:
    """Create and stamp an income CFDI (type I).

    The client is given by `id`, by `search` (upsert) or inline; items by service `id`, by `search` on
    the SKU, or inline; missing SAT keys, taxes, use and series come from the team's settings. Before a
    folio or credit is taken the document passes SAT's CFDI 4.0 rules: a violation is a 400 listing
    every one (SAT `code`, request `field`, Spanish and English text, `hint`). 201 when stamped; 202
    when the PAC did not answer (the invoice stays `pending` and is retried; poll it by `id`); 402 at the
    team's credit limit; 409 when the `folio_number` given is used.
    """
    return _create("I", body, auth, session, settings)


@router.get("/income", response_model=ListEnvelope[dict[str, Any]])
def list_income(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                params: ListParams = Depends(list_params), status: Status | None = _STATUS,
                client_id: str | None = _CLIENT, series: str | None = _SERIES,
                payment_method: Literal["PUE", "PPD", "pue", "ppd"] | None = _METHOD) -> Response:
    """List income invoices (filters: `status`, `client_id`, `series`, `payment_method`)."""
    return _list("I", auth, session, settings, params, status, client_id, series, payment_method)


@router.get("/income/{uuid}", response_model=Envelope[dict[str, Any]])
def get_income(uuid: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Get an income invoice by its CFDI UUID (or by its `id`, e.g. while it is pending)."""
    return ok("Invoice retrieved successfully",
              invoice_service.output(settings, invoice_service.get(session, auth, uuid, "I")))


@router.post("/egress", status_code=201, response_model=Envelope[dict[str, Any]])
def create_egress(session: DeferredSession, body: InvoiceInput, auth: WriteAuth,
                  settings: SettingsDep) -> JSONResponse:
    """Create and stamp an egress CFDI (type E: credit note), usually with `related_documents`
    (relationship 01 to the invoices it credits). Same rules and answers as income invoices."""
    return _create("E", body, auth, session, settings)


@router.get("/egress", response_model=ListEnvelope[dict[str, Any]])
def list_egress(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                params: ListParams = Depends(list_params), status: Status | None = _STATUS,
                client_id: str | None = _CLIENT, series: str | None = _SERIES,
                payment_method: Literal["PUE", "PPD", "pue", "ppd"] | None = _METHOD) -> Response:
    """List egress invoices (credit notes)."""
    return _list("E", auth, session, settings, params, status, client_id, series, payment_method)


@router.get("/egress/{uuid}", response_model=Envelope[dict[str, Any]])
def get_egress(uuid: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Get an egress invoice by its CFDI UUID (or its `id`)."""
    return ok("Invoice retrieved successfully",
              invoice_service.output(settings, invoice_service.get(session, auth, uuid, "E")))


@router.get("/search", response_model=ListEnvelope[dict[str, Any]])
def search(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
           q: str = Query(..., min_length=1, max_length=200, description="Words of the UUID, series-folio, "
                                                                           "client name, RFC or e-mail"),
           invoice_type: Literal["I", "E"] | None = Query(None), params: ListParams = Depends(list_params),
           ) -> Response:
    """Search income and egress invoices; paginated by `page`."""
    page = invoice_service.search(session, auth, q, params, invoice_type)
    return rendered_listing("Invoices retrieved successfully", invoice_service.outputs(settings, session, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.post("/validate", response_model=Envelope[dict[str, Any]])
def validate(session: DeferredSession, body: InvoiceInput, auth: WriteAuth, settings: SettingsDep) -> dict[str, Any]:
    """Dry run of a create (`invoice_type` I or E, default I): every SAT rule violation and problem of the
    request, plus the computed totals — without stamping, taking a folio or spending a credit, and
    without storing anything. Always 200: `data.valid` tells."""
    session.commit()
    result = dry_run(session, auth, settings, body)
    message = "Invoice is valid" if result["valid"] else "Invoice breaks SAT rules"
    return ok(message, result)


@router.get("/cfdi-errors")
def cfdi_errors(
    auth: ReadAuth,
    code: str | None = Query(None, max_length=20, description="Exact SAT error code, e.g. CFDI40158"),
    q: str | None = Query(None, max_length=200, description="Words searched in code, description, explanation "
                                                            "and solution"),
    type: Literal[ERROR_TYPES] | None = Query(None, description="invoice, receiver, sender, unknown or retention"),  # type: ignore[valid-type]
    limit: int = Query(50, ge=1, le=100),
    page: int = Query(1, ge=1, le=10_000),
) -> dict[str, Any]:
    """SAT's CFDI 4.0 and Pagos 2.0 error catalog: SAT's code and Spanish description, an English
    explanation, how to fix it in this API's terms, its type and the request field it concerns."""
    found = invoice_service.cfdi_errors(code, q, type)
    chunk = found[(page - 1) * limit: page * limit]
    body = ok("CFDI errors retrieved successfully", [invoice_service.serialize_error(i) for i in chunk])
    body.update({"total": len(found), "page": page, "limit": limit, "total_results": len(found),
                 "pagination": {"totalItems": len(found)},
                 "has_more": page * limit < len(found)})
    return body


@router.get("/{uuid}/files", response_model=Envelope[dict[str, str]])
def get_files(uuid: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep,
              file_type: Literal["pdf", "xml", "acuse"] | None = Query(None, description="pdf or xml "
                                                                        "(both when omitted; acuse when cancelled)"),
              ) -> dict[str, Any]:
    """Links to the invoice's PDF and XML that download without an API key and expire in an hour."""
    found = invoice_service.get(session, auth, uuid)
    return ok("Invoice files retrieved successfully", files.links(settings, found, auth.team, file_type))


@router.post("/{uuid}/send", response_model=Envelope[dict[str, Any]])
def send_invoice(uuid: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                 body: SendInput | None = None) -> dict[str, Any]:
    """E-mail the invoice (links to its PDF and XML, valid 7 days) to `emails`, else to the client's e-mail,
    plus the team's `emails.invoices_bcc`."""
    found = invoice_service.get(session, auth, uuid)
    result = send_use_case.send(session, settings, found, auth.team, body.emails if body else None)
    return ok("Invoice sent successfully", result)


@router.delete("/{uuid}", response_model=Envelope[dict[str, Any]])
def cancel_invoice(uuid: str, session: DeferredSession, body: CancelInput, auth: WriteAuth,
                   settings: SettingsDep) -> Any:
    """Cancel a stamped invoice: `{motive, substitution_uuid}` (or `replacement`). Motive 01 needs the
    substitute, an invoice relating to this one with relationship 04; 02-04 carry none. Refused while
    other valid documents depend on the invoice. SAT's acuse is kept (`cancellation_receipt`). 202 with
    `cancellation_status: pending` when SAT routes the request to the receiver for acceptance (SAT's rules:
    docs/sat-status.md); 409 `cancellation_pending` while one awaits."""
    cancelled = cancel_use_case.cancel(session, auth, settings, uuid, body)
    if cancelled.cancellation_status == "pending":
        return JSONResponse(ok("Cancellation requested; SAT awaits the receiver's acceptance (up to 72 hours)",
                               invoice_service.output(settings, cancelled)), status_code=202)
    return ok("Invoice cancelled successfully", invoice_service.output(settings, cancelled))


@router.put("/{uuid}/status", response_model=Envelope[dict[str, Any]])
def refresh_status(uuid: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep) -> dict[str, Any]:
    """Ask SAT for the invoice's current status (Consulta de estado del CFDI; the simulated SAT in test mode) and
    update the invoice: `sat_status{state, cancellable, cancellation_status, efos_validation, code, checked_at}`;
    SAT's `Cancelado` makes it `cancelled` (`invoice.canceled`), a cancellation `En proceso` leaves it `valid` with
    `cancellation_status: pending`, `Solicitud rechazada` with `rejected` (`invoice.cancellation_status_updated`).
    503 `sat_unavailable` when SAT does not answer."""
    refreshed = sat_status_use_case.refresh(session, auth, uuid)
    return ok("Invoice status updated from SAT", invoice_service.output(settings, refreshed))


@router.post("/{uuid}/test/cancellation-answer", response_model=Envelope[dict[str, Any]])
def answer_cancellation(uuid: str, body: CancellationAnswerInput, session: DeferredSession, auth: WriteAuth,
                        settings: SettingsDep) -> dict[str, Any]:
    """Test mode only (404 with a live key): answer, as the receiver, a cancellation the simulated SAT routed for
    acceptance. `accept: true` cancels the invoice (`invoice.canceled`), `false` refuses it (it stays valid,
    `cancellation_status: rejected`). 409 `cancellation_not_pending` when none awaits an answer."""
    answered = sat_status_use_case.answer_cancellation(session, auth, uuid, body.accept)
    return ok("Cancellation answered", invoice_service.output(settings, answered))


# ---- support documents ---------------------------------------------------------------------------
def _upload_target(uuid: str, auth: WriteAuth, session: SessionDep) -> Invoice:
    return invoice_service.get(session, auth, uuid)


async def _upload_form(request: Request, session: SessionDep,
                       _target: Invoice = Depends(_upload_target)) -> MultipartForm:
    session.commit()  # release SQLite's write lock while a slow client sends up to 10 MiB
    return await read_multipart(request, max_file_size=support_docs.MAX_FILE_SIZE)


@router.post("/{uuid}/support-documents", status_code=201, response_model=Envelope[SupportDocumentOut],
             responses=UPLOAD_RESPONSES, openapi_extra=UPLOAD_BODY)
def upload_support_document(uuid: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                            target: Invoice = Depends(_upload_target),
                            form: MultipartForm = Depends(_upload_form)) -> dict[str, Any]:
    """Attach a file to the invoice (by UUID or `id`; multipart: `file`, `documentType`, `name`,
    `description`), as for clients and payments: PDF, PNG, JPG/JPEG or WEBP by its bytes (415 otherwise),
    at most 10 MiB (413)."""
    storage = get_storage(settings)
    doc = support_docs.attach(session, storage, auth, "invoice", target.id, support_docs.parse_form(form))
    return ok("Support document uploaded successfully", support_docs.serialize(doc, storage))


@router.get("/{uuid}/support-documents", response_model=ListEnvelope[SupportDocumentOut])
def list_support_documents(uuid: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The invoice's support documents, oldest first (all of them: this list has no cursor)."""
    target = invoice_service.get(session, auth, uuid)
    storage = get_storage(settings)
    docs = [support_docs.serialize(d, storage) for d in support_docs.of_entity(session, auth, "invoice", target.id)]
    return listing("Support documents retrieved successfully", docs, next=None, has_more=False, total=len(docs))
