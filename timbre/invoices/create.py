"""Create an income or egress invoice: resolve, check SAT's rules, take a folio, seal, stamp.

Transactions, so that nothing is locked while a PAC works (a real PAC takes up to a second) or while
the document is sealed (the costliest CPU step):

1. read only, in the request's (read-only) authentication transaction: resolve the client and the
   items and check SAT's rules (a violation is a 400 and nothing was taken);
2. a short write transaction spends a credit (402 at the limit), takes the folio with
   `UPDATE … SET counter = counter + 1 RETURNING` and inserts the `pending` invoice — and commits.
   Only now is the document sealed, for the folio it got: no guessing, nothing sealed twice;
3. for a real PAC, a short transaction stores the sealed XML before it is sent (a retry re-sends
   these very bytes: a PAC never stamps one document twice), then the PAC is called outside any
   transaction; the sandbox PAC of test mode keeps no state and answers in-process, so its answer
   is simply recorded with the XML in the next step;
4. a last short transaction records the outcome: `valid`, `failed` (the folio stays with the visible
   failed attempt, the credit is refunded) or still `pending` (no answer: a job retries).

A request that dies between steps 2 and 4 leaves a pending invoice: with its XML it is stamped by the
recovery job; without (it died before sealing) the job marks it failed, so the folio is skipped only
with a visible failed attempt. A request whose `search` may create a client or a service runs steps 1
and 2 in one write transaction. This use case commits its own steps (services usually leave that to
the request): holding one transaction across the pipeline would serialise every request of a team.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi import trial
from timbre.cfdi.build import build
from timbre.cfdi.pac import PAC
from timbre.cfdi.pac.sandbox import SandboxPAC
from timbre.cfdi.seal import seal, seal_written
from timbre.config import Settings
from timbre.errors import Conflict, PaymentRequired
from timbre.invoices import guide, validation
from timbre.invoices.compose import MAX_AMOUNT, Composed, InvoiceType, compose
from timbre.invoices.events import emit_status
from timbre.invoices.items import ItemResolver
from timbre.invoices.repository import CreditRepository, FolioRepository, InvoiceRepository, fold
from timbre.invoices.schemas import MAX_FOLIO, InvoiceInput
from timbre.invoices.stamping import Attempt, apply, attempt, pac_for, unexpected
from timbre.invoices.tasks import recover_invoice, send_invoice_email
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.models import Invoice
from timbre.rates import service as rates
from timbre.satlists.service import sat_lists

log = logging.getLogger("timbre.invoices")
FIRST_RETRY = timedelta(seconds=30)
_MAX_SKIPS = 10_000  # folios given explicitly ahead of the counter are skipped over, never reused


@dataclass(frozen=True, slots=True)
class Created:
    invoice: Invoice
    status: str
    warnings: list[str] = field(default_factory=list)


def check_rules(session: Session, auth: AuthContext, composed: Composed) -> list[dict[str, Any]]:
    """Every SAT rule the document breaks (details for the 400), and anything else deterministic that would
    fail once its folio is taken (`cfdi.trial`): checked before any folio or credit is taken."""
    related = [uuid for group in composed.related for uuid in group["documents"]]
    known = InvoiceRepository.from_session(session).by_uuids(auth.team_id, auth.livemode, related)
    substitutions = {uuid for group in composed.related if group["relationship"] == "04"
                     for uuid in group["documents"]}
    credential = composed.credential
    data = composed.data
    rate = rates.reference(session, data.moneda, data.fecha.date())
    if rate.warning:
        composed.warnings.append(rate.warning)
    ctx = validation.context(
        cert_not_before=credential.not_before if credential else None,
        cert_not_after=credential.not_after if credential else None, cert_rfc=credential.rfc if credential else None,
        related=validation.related_lookup(known, substitutions, rfc_emisor=auth.team.tax_id),
        tax_field=composed.tax_field, exchange_rate_limits={data.moneda: rate.limits} if rate.limits else None)
    comprobante = build(data)
    errors = validation.check(comprobante, ctx) + guide.invoice_problems(data, composed.tax_field)
    if errors:
        return errors
    if max(composed.amounts.subtotal, composed.amounts.total) >= MAX_AMOUNT:  # beyond SAT's rules' own limit
        return [{"field": "items", "message": "items: the invoice's amounts exceed the 18 integer digits a CFDI "
                                              "amount can have"}]
    comprobante["Serie"], comprobante["Folio"] = composed.series, str(composed.folio_number or MAX_FOLIO)
    tried = trial.run(comprobante)
    composed.written = tried.written if not tried.problems else None
    return validation.trial_details(tried.problems)


def spend_credit(session: Session, team_id: str) -> None:
    """Spend one of the team's credits; 402 with `credit_limit` and `used_credits` at the limit."""
    credits = CreditRepository.from_session(session)
    if credits.spend(team_id) is None:
        limit, used = credits.usage(team_id)
        raise PaymentRequired("Team credit limit reached", "No remaining credits", code="credit_limit_reached",
                              extra={"credit_limit": limit, "used_credits": used})


def _search_text(composed: Composed, folio: int) -> str:
    client = composed.client_snapshot
    fields = (f"{composed.series}{folio}", f"{composed.series}-{folio}", client.get("name"), client.get("legal_name"),
              client.get("tax_id"), client.get("email"))
    return "|" + "|".join(fold(str(value)) for value in fields if value) + "|"


def _sealed(composed: Composed, folio: int) -> bytes:
    """The document sealed for its folio: the one `check_rules` wrote and tried, given its folio (the only
    attribute that differs), else written anew."""
    assert composed.credential is not None  # create() composes with require_csd
    if composed.written is not None:
        composed.written.set("Folio", str(folio))
        return seal_written(composed.written, composed.credential)
    return seal(build(composed.with_folio(folio)), composed.credential)


def _row(auth: AuthContext, composed: Composed, metadata: dict[str, Any]) -> Invoice:
    """The pending invoice without its folio (`reserve` sets it) and without XML."""
    data, amounts = composed.data, composed.amounts
    exchange_rate = data.tipo_cambio if data.tipo_cambio is not None else (Decimal(1) if data.moneda == "MXN"
                                                                            else None)
    return Invoice(
        id=new_id("invoice"), team_id=auth.team_id, livemode=auth.livemode, invoice_type=composed.invoice_type,
        status="pending", series=composed.series,
        client_id=composed.client.id if composed.client else None, client=composed.client_snapshot,
        items=[ItemResolver.snapshot(line) for line in composed.lines], currency=data.moneda,
        exchange_rate=exchange_rate, subtotal=amounts.subtotal, discount=amounts.descuento or Decimal(0),
        taxes_transferred=amounts.total_impuestos_trasladados or Decimal(0),
        taxes_withheld=amounts.total_impuestos_retenidos or Decimal(0), total=amounts.total,
        payment_form=data.forma_pago, payment_method=data.metodo_pago, use=data.receptor.uso_cfdi,
        exports=data.exportacion, automation_type=composed.automation_type, related_documents=composed.related,
        related_text="|" + "".join(f"{g['relationship']}:{u}|" for g in composed.related for u in g["documents"]),
        global_=composed.global_, pdf_notes=composed.pdf_notes, issued_at=data.fecha.isoformat(),
        csd_id=composed.csd.id if composed.csd else None,
        no_certificado=composed.credential.no_certificado if composed.credential else None,
        owner_id=auth.user_id, attempts=1, metadata_=metadata,
    )


def reserve(session: Session, auth: AuthContext, composed: Composed, metadata: dict[str, Any]) -> Invoice:
    """Spend a credit, take the folio and insert the pending invoice, still without XML (the caller commits,
    then `seal_and_stamp` seals it: sealing inside the write transaction would keep every other writer
    waiting)."""
    first = _row(auth, composed, metadata)  # built before the transaction's first statement takes the lock
    spend_credit(session, auth.team_id)
    repo, folios = InvoiceRepository.from_session(session), FolioRepository.from_session(session)
    given = composed.folio_number
    for tries in range(_MAX_SKIPS):
        folio = given if given is not None else folios.next_folio(
            auth.team_id, composed.document_type, composed.series, auth.livemode)
        if given is not None and (holder := repo.folio_holder(auth.team_id, auth.livemode, composed.invoice_type,
                                                              composed.series, given)) is not None:
            raise _folio_in_use(composed, given, holder.uuid or holder.id)
        invoice = first if tries == 0 else _row(auth, composed, metadata)
        invoice.folio_number, invoice.search_text = folio, _search_text(composed, folio)
        try:
            with session.begin_nested():
                repo.add(invoice)
            return invoice
        except IntegrityError:
            # Only a folio another request holds can collide: a given one is a 409; a counter value
            # that a given folio took earlier is skipped (it was never the counter's to reuse).
            if given is not None:
                raise _folio_in_use(composed, given, "another invoice") from None
    raise Conflict("Series exhausted", f"No free folio found in series {composed.series!r}")


def _folio_in_use(composed: Composed, folio: int, holder: str) -> Conflict:
    return Conflict("Folio already used", f"Folio {folio} of series {composed.series!r} is already used by {holder}",
                    code="folio_in_use", details=[{"field": "folio_number", "message": f"folio_number: {folio} is "
                                                   f"already used in series {composed.series!r}"}])


def finish(session: Session, invoice: Invoice, outcome: Attempt, pac: PAC, *, sealed: bytes | None = None) -> str:
    """Record a stamping attempt on a pending invoice (unless a recovery job finished it first), with the `sealed`
    XML it was made with when that is not stored yet (set after the lock, so that the row is written once)."""
    repo = InvoiceRepository.from_session(session)
    current, mailed = repo.lock_status(invoice)
    if current != "pending":
        repo.lock(invoice)
        return invoice.status
    if sealed is not None:
        invoice.xml = sealed
    status = apply(session, invoice, outcome, pac)
    emit_status(session, invoice, emails=None if mailed else [])
    if status == "pending":

        jobs.enqueue(session, recover_invoice, invoice.id, invoice.team_id, invoice.livemode,
                     eta=datetime.now(UTC) + FIRST_RETRY)
    return status


def seal_and_stamp(session: Session, invoice: Invoice, composed: Composed, pac: PAC) -> str:
    """Steps 3 and 4 for an invoice reserved (and committed) without XML; the caller commits."""
    xml = _sealed(composed, invoice.folio_number)
    if isinstance(pac, SandboxPAC):  # stateless and in-process: nothing to store before it answers
        return finish(session, invoice, attempt(pac, xml), pac, sealed=xml)
    InvoiceRepository.from_session(session).store_xml(invoice, xml)
    session.commit()
    return finish(session, invoice, attempt(pac, xml), pac)


def contain(session: Session, invoice: Invoice, pac: PAC, exc: Exception) -> str:
    """An unexpected error after the reservation committed (the caller answers with the invoice, so that a
    retry with the same idempotency key replays it instead of taking another folio). An invoice whose sealed
    bytes may have reached a real PAC stays pending for the recovery job (a PAC never stamps them twice);
    any other fails at once with the error and gets its credit back."""

    log.error("invoice %s: unexpected error after its folio was taken", invoice.id, exc_info=exc)
    session.rollback()
    repo = InvoiceRepository.from_session(session)
    repo.lock(invoice)
    if invoice.status != "pending":
        return invoice.status
    if invoice.xml is not None and not isinstance(pac, SandboxPAC):
        jobs.enqueue(session, recover_invoice, invoice.id, invoice.team_id, invoice.livemode,
                     eta=datetime.now(UTC) + FIRST_RETRY)
        return "pending"
    return apply(session, invoice, Attempt(rejected=unexpected("internal_error", "stamping", exc)), pac)


def stamp_reserved(session: Session, invoice: Invoice, composed: Composed, pac: PAC) -> str:
    """`seal_and_stamp`, with any unexpected error contained (`contain`)."""
    try:
        return seal_and_stamp(session, invoice, composed, pac)
    except Exception as exc:
        return contain(session, invoice, pac, exc)


def _may_write(body: InvoiceInput) -> bool:
    """Whether resolving the request may store something (a client or service a `search` creates)."""
    client = body.client
    return not client.id or any(item.search is not None and item.search.auto_create for item in body.items)


def create(session: Session, auth: AuthContext, settings: Settings, body: InvoiceInput,
           kind: InvoiceType) -> Created:
    pac = pac_for(settings, auth.livemode)
    may_write = _may_write(body)
    if may_write:  # steps 1 and 2 in one write transaction
        session.commit()  # end the read-only authentication transaction: the writes below start afresh
    composed = compose(session, auth, settings.secret(), body, kind)
    validation.raise_for(check_rules(session, auth, composed))
    # a receiver on one of SAT's lists is a warning, read here with the rest (no transaction after the last commit)
    composed.warnings += sat_lists.warnings(session, composed.client_snapshot.get("tax_id"))
    if not may_write:
        session.commit()  # end the read-only transaction: step 2 starts a write transaction
    invoice = reserve(session, auth, composed, body.metadata)
    session.commit()
    status = stamp_reserved(session, invoice, composed, pac)
    if status == "valid" and body.send_email and not body.ignore_emails:

        jobs.enqueue(session, send_invoice_email, invoice.id, invoice.team_id, invoice.livemode, body.emails)
    session.commit()
    return Created(invoice, status, composed.warnings)
