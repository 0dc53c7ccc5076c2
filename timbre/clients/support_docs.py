"""Support documents of a client (`POST`/`GET /clients/{id}/support-documents`).

A PDF, PNG, JPEG or WEBP of at most 10 MiB — its type told by its bytes — stored through the
storage protocol under `teams/<team>/<test|live>/support-documents/<id>.<ext>` (the path shape
gigstack's CLI expects). Rows are generic (`entity_type`, `entity_id`) so payments and invoices can
attach documents the same way. The wire shape uses gigstack's documents vocabulary (camelCase:
`documentType`, `fileName`, `mimeType`, ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.repository import SupportDocumentRepository
from timbre.errors import UnprocessableEntity, UnsupportedMediaType
from timbre.kit.ids import new_id
from timbre.kit.storage import Storage
from timbre.kit.uploads import MIB, MultipartForm, UploadedFile, sniff
from timbre.models import SupportDocument

MAX_FILE_SIZE = 10 * MIB
DOCUMENT_TYPES = ("contract", "delivery_proof", "payment_proof", "communication", "payment_confirmation",
                  "subscription_info")
URL_TTL = 3600
_EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg"),
               "image/webp": (".webp",)}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class SupportDocumentInput:
    document_type: str
    name: str
    description: str | None
    file: UploadedFile


def _invalid(field: str, message: str) -> UnprocessableEntity:
    text = f"{field}: {message}"
    return UnprocessableEntity("Invalid request body", text, details=[{"field": field, "message": text}])


def parse_form(form: MultipartForm) -> SupportDocumentInput:
    """The upload's fields: `file` (required), `documentType` (required), `name`, `description`."""
    upload = form.files.get("file")
    if upload is None:
        raise _invalid("file", "a file part named 'file' is required")
    document_type = (form.fields.get("documentType") or form.fields.get("document_type") or "").strip()
    if document_type not in DOCUMENT_TYPES:
        raise _invalid("documentType", f"must be one of {', '.join(DOCUMENT_TYPES)}")
    file_name = _UNSAFE.sub("", upload.filename).strip()[:255] or "document"
    name = (form.fields.get("name") or "").strip() or file_name
    if len(name) > 255:
        raise _invalid("name", "at most 255 characters")
    description = (form.fields.get("description") or "").strip() or None
    if description is not None and len(description) > 1000:
        raise _invalid("description", "at most 1000 characters")
    return SupportDocumentInput(document_type, name, description,
                                UploadedFile(upload.field_name, file_name, upload.declared_type, upload.data))


def attach(session: Session, storage: Storage, auth: AuthContext, entity_type: str, entity_id: str,
           upload: SupportDocumentInput) -> SupportDocument:
    """Store the file and index it; 415 unless its bytes are a PDF, PNG, JPEG or WEBP."""
    kind = sniff(upload.file.data)
    if kind is None:
        raise UnsupportedMediaType("Unsupported file type",
                                   "Only PDF, PNG, JPG/JPEG and WEBP files are accepted (judged by the file's "
                                   "content, not its name)")
    mime_type, extension = kind
    doc_id = new_id("doc")
    mode = "live" if auth.livemode else "test"
    key = f"teams/{auth.team_id}/{mode}/support-documents/{doc_id}.{extension}"
    stored = storage.put(key, upload.file.data, mime_type)
    file_name = upload.file.filename
    if not file_name.lower().endswith(_EXTENSIONS[mime_type]):
        file_name = f"{file_name}.{extension}"  # a download keeps the type the bytes have
    doc = SupportDocument(id=doc_id, team_id=auth.team_id, livemode=auth.livemode, entity_type=entity_type,
                          entity_id=entity_id, document_type=upload.document_type, name=upload.name,
                          description=upload.description, file_name=file_name[-255:], mime_type=mime_type,
                          size=stored.size, sha256=stored.sha256, storage_key=key, created_by=auth.user_id)
    return SupportDocumentRepository.from_session(session).add(doc)


def of_entity(session: Session, auth: AuthContext, entity_type: str, entity_id: str) -> Sequence[SupportDocument]:
    return SupportDocumentRepository.from_session(session).of_entity(auth.team_id, auth.livemode, entity_type,
                                                                     entity_id)


def serialize(doc: SupportDocument, storage: Storage) -> dict[str, Any]:
    return {
        "id": doc.id,
        "documentType": doc.document_type,
        "name": doc.name,
        "description": doc.description,
        "fileName": doc.file_name,
        "fileSize": doc.size,
        "mimeType": doc.mime_type,
        "sha256": doc.sha256,
        "storagePath": doc.storage_key,
        "fileUrl": storage.url(doc.storage_key, expires_in=URL_TTL, filename=doc.file_name),
        "linkedEntities": [{"entityType": doc.entity_type, "entityId": doc.entity_id}],
        "livemode": doc.livemode,
        "team": doc.team_id,
        "created_at": doc.created_at // 1000,
    }
