"""The SAT mirror API: the CFDI SAT holds for the team (`/invoices/sat*`). Guide: docs/sat-mirror.md."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.deps import SessionDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.uploads import MultipartForm, read_multipart, upload_responses
from timbre.satmirror.output import serialize
from timbre.satmirror.schemas import PdfEnvelope
from timbre.satmirror.service import sat_mirror

router = APIRouter(prefix="/invoices/sat", tags=["SAT mirror"], responses=ERROR_RESPONSES)
MAX_IMPORT_BYTES = 64 * 1024 * 1024
IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary",
                                              "description": "A ZIP from SAT's portal, or a CFDI XML"}}}}}}}


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_sat_invoices(
    auth: ReadAuth, session: SessionDep,
    limit: int = Query(20, ge=1, le=100, description="Page size, 1–100"),
    starting_after: str | None = Query(None, max_length=36, description="UUID of the last CFDI of the previous page"),
    next: str | None = Query(None, max_length=36, description="Same as starting_after (the `next` of a page)"),
    from_: str | None = Query(None, alias="from", max_length=25,
                              description="Issued on or after: YYYY-MM-DD or ISO date-time (Mexico City), or unix"),
    to: str | None = Query(None, max_length=25, description="Issued on or before (a date covers the whole day)"),
    direction: Literal["issued", "received"] | None = Query(None, description="issued or received"),
    status: Literal["Vigente", "Cancelado"] | None = Query(None, description="SAT's status"),
    invoice_type: Literal["I", "E", "P", "N", "T"] | None = Query(None, description="TipoDeComprobante"),
    issuer_rfc: str | None = Query(None, max_length=13, description="Issuer's RFC"),
    receiver_rfc: str | None = Query(None, max_length=13, description="Receiver's RFC"),
) -> dict[str, Any]:
    """The team's CFDI as SAT holds them, newest issue date first, each with its `verification`
    (`xsd`, `seal`, `tfd`, `efos`). `total_results` is exact up to 1,000, PostgreSQL's
    estimate beyond (`total_results_estimated`)."""
    filters = sat_mirror.filters(direction=direction, status=status, invoice_type=invoice_type,
                                 issuer_rfc=issuer_rfc, receiver_rfc=receiver_rfc, from_=from_, to=to)
    page = sat_mirror.list(session, auth.team_id, auth.livemode, filters, limit=limit,
                                  starting_after=starting_after or next)
    return listing("SAT invoices retrieved successfully", page.items, next=page.next, has_more=page.has_more,
                   total=page.total, estimated=page.estimated)


async def _import_form(request: Request, session: SessionDep) -> MultipartForm:
    session.commit()  # release SQLite's write lock while the upload arrives
    return await read_multipart(request, max_file_size=MAX_IMPORT_BYTES, max_parts=20)


@router.post("/import", response_model=Envelope[dict[str, Any]], openapi_extra=IMPORT_BODY,
             responses=upload_responses(MAX_IMPORT_BYTES))
def import_sat_invoices(auth: WriteAuth, session: SessionDep,
                        form: MultipartForm = Depends(_import_form)) -> dict[str, Any]:
    """Import CFDI into the mirror: a ZIP downloaded from SAT's portal (XML and/or metadata TXT), or loose XML
    (multipart, any part names). Each XML is verified; a forged one is imported and flagged
    (`verification.valid: false`), never hidden. Files that are not CFDI of the team are listed in
    `rejected`. Importing the same files again changes nothing."""
    files = [(upload.filename or upload.field_name, upload.data) for upload in form.files.values()]
    result = sat_mirror.import_files(session, auth.team, auth.livemode, files)
    return ok("SAT invoices imported successfully", result.to_dict())


@router.get("/{uuid}", response_model=Envelope[dict[str, Any]])
def get_sat_invoice(uuid: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """One mirrored CFDI by UUID (the XML itself is not returned; `has_xml` says whether it is held)."""
    return ok("SAT invoice retrieved successfully", serialize(sat_mirror.get(session, auth.team_id, auth.livemode,
                                                                             uuid)))


@router.post("/{uuid}/retry-xml", response_model=Envelope[dict[str, Any]])
def retry_sat_invoice_xml(uuid: str, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Ask SAT again for the XML of a CFDI known by its metadata: a CFDI download of its issue day starts
    (`run_id`; follow it in the schedule history). Self-hosted: no credit is charged."""
    data = sat_mirror.retry_xml(session, auth.team, auth.livemode, uuid, auth.user_id)
    message = data.pop("message", "XML download requested")
    return ok(message, data)


@router.post("/{uuid}/pdf", response_model=PdfEnvelope)
def sat_invoice_pdf(uuid: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Our PDF template for the mirrored CFDI (4.0 or 3.3, payment complements included), base64 in the
    top-level `pdf` (and in `data.pdf`)."""
    pdf = sat_mirror.pdf(session, auth.team, auth.livemode, uuid)
    body = ok("PDF generated successfully", {"uuid": uuid.upper(), "pdf": pdf})
    body["pdf"] = pdf
    return body
