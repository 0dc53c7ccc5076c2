"""Stamp a draft: the invoices pipeline, linked to the draft so that it becomes one invoice only.

Incomplete (no client or no item) → 400 with gigstack's message; SAT's rules broken → 400 listing
every violation, and the draft stays a draft with them in `errors`; no credits → 402 with gigstack's
`Team credit limit reached`; the PAC refusing it → 400, and the draft stays a draft (its failed
invoice is visible in the invoices list). Stamped (or accepted while the PAC does not answer) →
the draft is `stamped` and names its invoice.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.drafts.repository import DraftRepository
from timbre.drafts.service import draft as draft_service
from timbre.errors import BadRequest, Conflict, NotFound, ValidationFailed
from timbre.invoices.create import Created
from timbre.invoices.files import render_pdf
from timbre.invoices.linked import create_linked
from timbre.models import Invoice, InvoiceDraft


class DraftLink:
    def __init__(self, draft: InvoiceDraft) -> None:
        self.draft_id, self.team_id, self.livemode = draft.id, draft.team_id, draft.livemode

    def _locked(self, session: Session) -> InvoiceDraft:
        repo = DraftRepository.from_session(session)
        found = repo.get_scoped(self.draft_id, self.team_id, self.livemode)
        if found is None:
            raise NotFound("Draft not found", "The specified draft does not exist")
        repo.lock(found)
        return found

    def claim(self, session: Session) -> bool:
        return self._locked(session).invoice_id is None

    def attach(self, session: Session, invoice: Invoice) -> None:
        found = self._locked(session)
        found.invoice_id, found.status, found.errors = invoice.id, "stamped", None


@dataclass(frozen=True, slots=True)
class Stamped:
    created: Created
    files: dict[str, str] | None


def _already(found: InvoiceDraft) -> Conflict:
    return Conflict("Draft already stamped", f"Draft {found.id} became invoice {found.invoice_id}",
                    code="draft_stamped", extra={"invoice_id": found.invoice_id})


def _keep_errors(session: Session, auth: AuthContext, draft_id: str, errors: list[Any]) -> None:
    found = draft_service.get(session, auth, draft_id, lock=True)
    found.errors = errors
    if found.status == "stamped" and found.invoice_id is not None:
        found.status, found.invoice_id = "draft", None  # its invoice failed: the draft is a draft again
    session.commit()


def stamp(session: Session, auth: AuthContext, settings: Settings, draft_id: str, *, send_email: bool,
          return_files: bool) -> Stamped:
    session.commit()  # end the read-only authentication transaction
    found = draft_service.get(session, auth, draft_id)
    if found.invoice_id is not None:
        raise _already(found)
    body = draft_service.invoice_input(found).model_copy(update={"send_email": send_email})
    try:
        created = create_linked(session, auth, settings, body, found.invoice_type,  # type: ignore[arg-type]
                                DraftLink(found))
    except ValidationFailed as exc:
        session.rollback()
        details = exc.details if isinstance(exc.details, list) else [{"field": None, "message": exc.detail}]
        _keep_errors(session, auth, draft_id, details)
        raise
    if created is None:
        raise _already(draft_service.get(session, auth, draft_id))
    invoice = created.invoice
    if created.status == "failed":
        error = invoice.error or {}
        _keep_errors(session, auth, draft_id, list(error.get("details") or []) or [
            {"field": None, "message": str(error.get("message"))}])
        raise BadRequest("Failed to stamp invoice", f"{error.get('code')}: {error.get('message')}",
                         code="stamp_rejected", details=error.get("details"), extra={"invoice_id": invoice.id})
    files = None
    if return_files and created.status == "valid" and invoice.xml is not None:
        files = {"xml": base64.b64encode(invoice.xml).decode(),
                 "pdf": base64.b64encode(render_pdf(invoice, auth.team)).decode()}
    return Stamped(created, files)
