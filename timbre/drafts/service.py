"""Drafts CRUD. A draft stores the fields given so far (as the create-invoice request spells them);
an update sets the fields it names, and `null` removes one."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.drafts.repository import DraftRepository
from timbre.drafts.schemas import DRAFT_ONLY, DraftCreate, DraftFields, DraftUpdate
from timbre.errors import BadRequest, Conflict, NotFound, ValidationFailed
from timbre.invoices.schemas import InvoiceInput
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import InvoiceDraft

NOT_FOUND = ("Draft not found", "The specified draft does not exist")
INCOMPLETE = "Draft is incomplete — a client and at least one item are required to stamp"


def _value(body: DraftFields, name: str) -> Any:
    field = type(body).model_fields[name]
    return body.model_dump(mode="json", include={name}, by_alias=True)[field.alias or name]


def _key(name: str) -> str:
    field = DraftFields.model_fields[name]
    return field.alias or name


def _client_id(payload: dict[str, Any]) -> str | None:
    client = payload.get("client") or {}
    return client.get("id") if isinstance(client, dict) else None


class DraftService:
    def create(self, session: Session, auth: AuthContext, body: DraftCreate) -> InvoiceDraft:
        payload = {_key(n): _value(body, n) for n in body.model_fields_set if n != "invoice_type"
                   and getattr(body, n) is not None}
        draft = InvoiceDraft(id=new_id("draft"), team_id=auth.team_id, livemode=auth.livemode,
                             invoice_type=body.invoice_type, status="draft", payload=payload,
                             client_id=_client_id(payload), owner_id=auth.user_id)
        return DraftRepository.from_session(session).add(draft)

    def list_drafts(self, session: Session, auth: AuthContext, params: ListParams, *, invoice_type: str | None,
                    client_id: str | None, status: str | None) -> Page:
        stmt = DraftRepository.from_session(session).listing(auth.team_id, auth.livemode, invoice_type=invoice_type,
                                                             client_id=client_id, status=status)
        return paginate(session, stmt, InvoiceDraft, params, orderable={"updated_at": InvoiceDraft.updated_at})

    def get(self, session: Session, auth: AuthContext, draft_id: str, *, lock: bool = False) -> InvoiceDraft:
        repo = DraftRepository.from_session(session)
        draft = repo.get_scoped(draft_id, auth.team_id, auth.livemode)
        if draft is None:
            raise NotFound(*NOT_FOUND)
        if lock:
            repo.lock(draft)
        return draft

    def update(self, session: Session, auth: AuthContext, draft_id: str, body: DraftUpdate) -> InvoiceDraft:
        draft = self.get(session, auth, draft_id, lock=True)
        if draft.status != "draft":
            raise Conflict("Draft already stamped", f"Draft {draft.id} became invoice {draft.invoice_id}",
                           code="draft_stamped")
        payload = dict(draft.payload or {})
        for name in body.model_fields_set:
            if name == "invoice_type":
                if body.invoice_type is None:
                    raise BadRequest("Invalid draft", "invoice_type cannot be cleared")
                draft.invoice_type = body.invoice_type
            elif getattr(body, name) is None:
                payload.pop(_key(name), None)
            else:
                payload[_key(name)] = _value(body, name)
        draft.payload, draft.client_id = payload, _client_id(payload)
        return draft

    def delete(self, session: Session, auth: AuthContext, draft_id: str) -> None:
        DraftRepository.from_session(session).delete(self.get(session, auth, draft_id))

    @staticmethod
    def invoice_input(draft: InvoiceDraft) -> InvoiceInput:
        """The create-invoice request the draft stands for; 400 with gigstack's message while it has no
        client or no item."""
        payload = {k: v for k, v in (draft.payload or {}).items() if k not in DRAFT_ONLY}
        if not payload.get("client") or not payload.get("items"):
            missing = [name for name in ("client", "items") if not payload.get(name)]
            raise ValidationFailed(INCOMPLETE, INCOMPLETE, code="draft_incomplete",
                                   details=[{"field": name, "message": f"{name}: required to stamp"}
                                            for name in missing])
        try:
            return InvoiceInput.model_validate(payload)
        except ValidationError as exc:  # a draft holds only valid fields, but stay safe
            raise ValidationFailed("Invalid draft", str(exc)) from None


draft = DraftService()
