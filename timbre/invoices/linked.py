"""Create an invoice on behalf of another object (a payment's automation, a draft) exactly once.

The create pipeline of `create.py` (the document sealed once its reservation commits), with one
difference: in the write transaction that reserves the invoice, a `Link` first locks its owner and says
whether it still needs a document (`claim`), then records the invoice on it (`attach`). Owner and
invoice commit together, so a retried automation or a second stamp of one draft finds the first
invoice instead of issuing another.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.invoices import validation
from timbre.invoices.compose import InvoiceType, compose
from timbre.invoices.create import Created, check_rules, reserve, stamp_reserved
from timbre.invoices.schemas import InvoiceInput
from timbre.invoices.stamping import pac_for
from timbre.invoices.tasks import send_invoice_email
from timbre.kit import jobs
from timbre.models import Invoice


class Link(Protocol):
    def claim(self, session: Session) -> bool:
        """Lock the owner; False when it already has its document (nothing is issued then)."""
        ...

    def attach(self, session: Session, invoice: Invoice) -> None:
        """Record the reserved (pending) invoice on the owner, in the same transaction."""
        ...


def create_linked(session: Session, auth: AuthContext, settings: Settings, body: InvoiceInput, kind: InvoiceType,
                  link: Link) -> Created | None:
    """Like `create.create` (e-mailing the stamped invoice when `body.send_email`); None when the link's owner
    already has its invoice."""
    pac = pac_for(settings, auth.livemode)
    session.commit()  # end the read-only authentication transaction: the write below starts afresh
    if not link.claim(session):
        session.commit()
        return None
    composed = compose(session, auth, settings.secret(), body, kind)
    validation.raise_for(check_rules(session, auth, composed))
    invoice = reserve(session, auth, composed, body.metadata)
    link.attach(session, invoice)
    session.commit()
    status = stamp_reserved(session, invoice, composed, pac)
    if status == "valid" and body.send_email and not body.ignore_emails:

        jobs.enqueue(session, send_invoice_email, invoice.id, invoice.team_id, invoice.livemode, body.emails)
    session.commit()
    return Created(invoice, status, composed.warnings)
