"""Clients API (spec §2.1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext, ReadAuth, WriteAuth
from timbre.clients import support_docs
from timbre.clients.csf_import import import_csf
from timbre.clients.schemas import (
    ClientCreate,
    ClientFromCsfOut,
    ClientOut,
    ClientUpdate,
    ClientValidationOut,
    DeletedOut,
    SupportDocumentOut,
)
from timbre.clients.service import client as client_service
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.kit.envelope import Envelope, ListEnvelope, created_or_existing, listing, ok, rendered_listing
from timbre.kit.pagination import ListParams, list_params
from timbre.kit.storage import get_storage
from timbre.kit.uploads import MultipartForm, read_multipart, upload_responses
from timbre.models import Client

router = APIRouter(prefix="/clients", tags=["Clients"], responses=ERROR_RESPONSES)

UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"description": "The file is larger than 10 MiB"},
    415: {"description": "The file is not a PDF, PNG, JPEG or WEBP (judged by its bytes)"},
}
UPLOAD_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "required": ["file", "documentType"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "PDF, PNG, JPG/JPEG or WEBP, at most 10 MiB"},
        "documentType": {"type": "string", "enum": list(support_docs.DOCUMENT_TYPES)},
        "name": {"type": "string", "maxLength": 255, "description": "Display name (default: the file's name)"},
        "description": {"type": "string", "maxLength": 1000},
    },
}}}}}


class ClientSearchEnvelope(ListEnvelope[ClientOut]):
    found: int
    per_page: int


def _client(session: Session, auth: AuthContext, client_id: str) -> Client:
    return client_service.get(session, auth, client_id)


@router.get("", response_model=ListEnvelope[ClientOut])
def list_clients(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params)) -> Response:
    """List clients, newest first (`order_by`: created_at, name, legal_name, email); `metadata.<key>=<value>`
    filters switch to page pagination."""
    page = client_service.list_clients(session, auth, params)
    return rendered_listing("Clients retrieved successfully", client_service.serialize_many(session, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.post("", status_code=201, response_model=Envelope[ClientOut],
             responses={200: {"model": Envelope[ClientOut], "description": "An existing client matched `search`"}})
def create_client(body: ClientCreate, auth: WriteAuth, session: SessionDep, response: Response) -> dict[str, Any]:
    """Create a client. Every field is optional, but the ones given must be valid for SAT (400 naming the field
    and the rule). With `search: {on_key, on_value, update, auto_create}` an existing client is reused instead:
    one match → 200 (updated with the payload when `update` is true), none → 201 created (404 when
    `auto_create` is false), several → 409 `resource_conflict` listing their ids in `error.details`."""
    found, outcome = client_service.upsert(session, auth, body, body.search)
    existing = "Client updated successfully" if outcome == "updated" else "Client already exists"
    return created_or_existing(response, outcome == "created", client_service.serialize(session, found),
                               created_message="Client created successfully", existing_message=existing)


CSF_MAX_FILE_SIZE = 5 * 1024 * 1024
CSF_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "The Constancia de Situación Fiscal's PDF as issued by SAT, at most 5 MiB"}},
}}}}}


async def _csf_form(request: Request, auth: WriteAuth, session: SessionDep) -> MultipartForm:
    session.commit()  # release SQLite's write lock while the file arrives (see _upload_form)
    return await read_multipart(request, max_file_size=CSF_MAX_FILE_SIZE)


@router.post("/csf", status_code=201, response_model=Envelope[ClientFromCsfOut], openapi_extra=CSF_BODY,
             responses={200: {"model": Envelope[ClientFromCsfOut], "description": "A client was updated"},
                        **upload_responses(CSF_MAX_FILE_SIZE)})
def upload_csf(auth: WriteAuth, session: SessionDep, response: Response,
               client_id: str | None = Query(None, max_length=60, description="Update this client (default: the "
                                             "client with the constancia's RFC, created when there is none)"),
               form: MultipartForm = Depends(_csf_form)) -> dict[str, Any]:
    """Create or update a client from its Constancia de Situación Fiscal (multipart `file`, the PDF SAT issues).
    Reads the RFC, the name (nombre and apellidos) or razón social, the régimenes in force (mapped to
    c_RegimenFiscal), the address with its postal code and the idCIF, from the text and from the QR code (whose
    SAT validation URL must name the same RFC and idCIF). The client with that RFC is updated (200) or created
    (201); `client_id` updates that client instead. Anything that is not a constancia — another PDF, an image,
    an empty file — is a 400 `Not a Constancia de Situación Fiscal`; a constancia whose data is not a valid
    CFDI 4.0 receiver is a 400 naming the field. The answer is the client plus `csf`, what the constancia says."""
    upload = form.files.get("file")
    if upload is None:
        raise BadRequest("Invalid request", "A file part named 'file' is required")
    found, outcome, read = import_csf(session, auth, upload.data, client_id)
    data = {**client_service.serialize(session, found), "csf": read}
    return created_or_existing(response, outcome == "created", data,
                               created_message="Client created from the constancia",
                               existing_message="Client updated from the constancia")


@router.get("/search", response_model=ClientSearchEnvelope)
def search_clients(
    auth: ReadAuth,
    session: SessionDep,
    q: str = Query(..., min_length=1, max_length=200, description="Words of the name, legal name, e-mail or RFC"),
    limit: int = Query(10, ge=1, le=100),
    page: int = Query(1, ge=1, le=10_000),
) -> dict[str, Any]:
    """Search clients by name, legal name, company, e-mail or RFC (accent- and case-insensitive; every word must
    match), best first: an exact field, then a field starting with the query, then a word starting with it."""
    rows, total = client_service.search(session, auth, q, limit=limit, page=page)
    body = listing("Clients retrieved successfully", client_service.serialize_many(session, rows), next=None,
                   has_more=page * limit < total, total=total, page=page)
    body.update(found=total, per_page=limit)
    return body


@router.post("/validate/{client_id}", response_model=Envelope[ClientValidationOut])
def validate_client(client_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Check the client's fiscal data against SAT's receiver rules (RFC, régimen, uso, zip, foreign tax id) and
    the 69-B list: the status of every field, what is missing, and each broken rule with SAT's error code."""
    target = _client(session, auth, client_id)
    return ok("Client validated successfully", client_service.validation(session, target))


@router.get("/{client_id}", response_model=Envelope[ClientOut])
def get_client(client_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a client."""
    return ok("Client retrieved successfully", client_service.serialize(session, _client(session, auth, client_id)))


@router.put("/{client_id}", response_model=Envelope[ClientOut])
def update_client(client_id: str, body: ClientUpdate, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Update the fields given (`address`, `defaults` and `metadata` are merged; null removes a key)."""
    updated = client_service.update(session, _client(session, auth, client_id), body)
    return ok("Client updated successfully", client_service.serialize(session, updated))


@router.delete("/{client_id}", response_model=Envelope[DeletedOut])
def delete_client(client_id: str, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Delete a client and its support documents."""
    target = _client(session, auth, client_id)
    client_service.delete(session, target)
    return ok("Client deleted successfully", {"id": client_id, "deleted": True})


# ---- support documents ---------------------------------------------------------------------------
def _upload_target(client_id: str, auth: WriteAuth, session: SessionDep) -> Client:
    return _client(session, auth, client_id)


async def _upload_form(request: Request, session: SessionDep,
                       _target: Client = Depends(_upload_target)) -> MultipartForm:
    # On SQLite a POST holds the write lock from its first query; release it (nothing is written yet) rather
    # than keep every other writer waiting while a slow client sends 10 MiB.
    session.commit()
    return await read_multipart(request, max_file_size=support_docs.MAX_FILE_SIZE)


@router.post("/{client_id}/support-documents", status_code=201, response_model=Envelope[SupportDocumentOut],
             responses=UPLOAD_RESPONSES, openapi_extra=UPLOAD_BODY)
def upload_support_document(client_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                            target: Client = Depends(_upload_target),
                            form: MultipartForm = Depends(_upload_form)) -> dict[str, Any]:
    """Attach a file to the client (multipart: `file`, `documentType`, `name`, `description`). PDF, PNG, JPG/JPEG
    or WEBP as told by the file's bytes (415 otherwise), at most 10 MiB (413)."""
    storage = get_storage(settings)
    doc = support_docs.attach(session, storage, auth, "client", target.id, support_docs.parse_form(form))
    return ok("Support document uploaded successfully", support_docs.serialize(doc, storage))


@router.get("/{client_id}/support-documents", response_model=ListEnvelope[SupportDocumentOut])
def list_support_documents(client_id: str, auth: ReadAuth, session: SessionDep,
                           settings: SettingsDep) -> dict[str, Any]:
    """The client's support documents, oldest first (all of them: this list has no cursor)."""
    target = _client(session, auth, client_id)
    storage = get_storage(settings)
    docs = [support_docs.serialize(d, storage) for d in support_docs.of_entity(session, auth, "client", target.id)]
    return listing("Support documents retrieved successfully", docs, next=None, has_more=False, total=len(docs))
