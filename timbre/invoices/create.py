"""Create an income or egress invoice: resolve, check SAT's rules, take a folio, seal, stamp.

Transactions, so that nothing is locked while a PAC works (a real PAC takes up to a second):

1. read only, in the request's (read-only) authentication transaction: resolve the client and the
   items, check SAT's rules (a violation is a 400 and nothing was taken), and seal the document for
   the folio the series' counter should give next;
2. a short write transaction spends a credit (402 at the limit), takes the folio with
   `UPDATE … SET counter = counter + 1 RETURNING` (sealing again only when another request took the
   expected one), inserts the `pending` invoice with its sealed XML — and commits;
3. the PAC is called outside any transaction, with those exact bytes;
4. a second short transaction records the outcome: `valid`, `failed` (the folio stays with the
   visible failed attempt, the credit is refunded) or still `pending` (no answer: a job retries).

A request whose `search` may create a client or a service runs steps 1 and 2 in one write transaction.
This use case commits its own steps (services usually leave that to the request): the pipeline spans
a network call, and holding a transaction across it would serialise every request of a team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.build import build
from timbre.cfdi.seal import seal
from timbre.config import Settings
from timbre.errors import Conflict, PaymentRequired, ValidationFailed
from timbre.invoices import validation
from timbre.invoices.compose import MAX_AMOUNT, Composed, InvoiceType, compose
from timbre.invoices.items import ItemResolver
from timbre.invoices.output import item_output, number
from timbre.invoices.repository import CreditRepository, FolioRepository, InvoiceRepository, fold
from timbre.invoices.schemas import InvoiceInput
from timbre.invoices.stamping import apply, attempt, pac_for
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.models import Invoice

FIRST_RETRY = timedelta(seconds=30)
_MAX_SKIPS = 10_000  # folios given explicitly ahead of the counter are skipped over, never reused
_OPTIMISTIC_TRIES = 3


@dataclass(frozen=True, slots=True)
class Created:
    invoice: Invoice
    status: str


def check_rules(session: Session, auth: AuthContext, composed: Composed) -> list[dict[str, Any]]:
    """Every SAT rule the document breaks (details for the 400), before any folio or credit is taken."""
    related = [uuid for group in composed.related for uuid in group["documents"]]
    known = InvoiceRepository.from_session(session).by_uuids(auth.team_id, auth.livemode, related)
    substitutions = {uuid for group in composed.related if group["relationship"] == "04"
                     for uuid in group["documents"]}
    credential = composed.credential
    ctx = validation.context(
        cert_not_before=credential.not_before if credential else None,
        cert_not_after=credential.not_after if credential else None, cert_rfc=credential.rfc if credential else None,
        related=validation.related_lookup(known, substitutions, rfc_emisor=auth.team.tax_id),
        tax_field=composed.tax_field)
    return validation.check(build(composed.data), ctx)


def _spend_credit(session: Session, team_id: str) -> None:
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
    assert composed.credential is not None  # create() composes with require_csd
    return seal(build(composed.with_folio(folio)), composed.credential)


def preseal(session: Session, auth: AuthContext, composed: Composed) -> tuple[int, bytes]:
    """The document sealed for the folio the request expects (the given one, else the counter's next)."""
    folio = composed.folio_number or FolioRepository.from_session(session).current(
        auth.team_id, composed.document_type, composed.series, auth.livemode) + 1
    return folio, _sealed(composed, folio)


def _row(auth: AuthContext, composed: Composed, folio: int, xml: bytes | None) -> Invoice:
    data, amounts = composed.data, composed.amounts
    exchange_rate = data.tipo_cambio if data.tipo_cambio is not None else (Decimal(1) if data.moneda == "MXN"
                                                                            else None)
    return Invoice(
        id=new_id("invoice"), team_id=auth.team_id, livemode=auth.livemode, invoice_type=composed.invoice_type,
        status="pending", series=composed.series, folio_number=folio,
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
        no_certificado=composed.credential.no_certificado if composed.credential else None, xml=xml,
        owner_id=auth.user_id, search_text=_search_text(composed, folio), attempts=1, metadata_={},
    )


class FolioMoved(Exception):
    """The counter gave another folio than the one the document was sealed for (`reserve(reseal=False)`)."""

    def __init__(self, folio: int) -> None:
        super().__init__(folio)
        self.folio = folio


def reserve(session: Session, auth: AuthContext, composed: Composed, metadata: dict[str, Any], *,
            presealed: tuple[int, bytes] | None = None, reseal: bool = True) -> Invoice:
    """Spend a credit, take the folio, seal, and insert the pending invoice (the caller commits).

    `presealed` is `(folio, xml)` sealed beforehand for the folio the counter was expected to give
    (`preseal`): when the counter gives that folio, the seal's RSA work stays out of the write transaction;
    when another request took it first, the document is sealed again for the folio it got — or, with
    `reseal=False`, nothing is written and `FolioMoved` says which folio the counter would give now (the
    caller ends the transaction, seals outside it and tries again)."""
    if max(composed.amounts.subtotal, composed.amounts.total) >= MAX_AMOUNT:  # beyond SAT's rules' own limit
        validation.raise_for([{"field": "items", "message": "items: the invoice's amounts exceed the 18 integer "
                                                            "digits a CFDI amount can have"}], "Invalid invoice")
    repo, folios = InvoiceRepository.from_session(session), FolioRepository.from_session(session)
    given = composed.folio_number
    where = (auth.team_id, composed.document_type, composed.series, auth.livemode)
    taken = None
    if presealed is not None and not reseal and given is None:
        if not folios.take(*where, folio=presealed[0]):
            raise FolioMoved(folios.current(*where) + 1)
        taken = presealed[0]
    _spend_credit(session, auth.team_id)
    for _ in range(_MAX_SKIPS):
        if taken is not None:
            folio, taken = taken, None
        else:
            folio = given if given is not None else folios.next_folio(*where)
        if given is not None and (holder := repo.folio_holder(auth.team_id, auth.livemode, composed.invoice_type,
                                                              composed.series, given)) is not None:
            raise _folio_in_use(composed, given, holder.uuid or holder.id)
        xml = presealed[1] if presealed is not None and presealed[0] == folio else _sealed(composed, folio)
        invoice = _row(auth, composed, folio, xml)
        invoice.metadata_ = metadata
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


def finish(session: Session, invoice: Invoice, outcome: Any, pac: Any) -> str:
    """Record a stamping attempt on a pending invoice (unless a recovery job finished it first)."""
    repo = InvoiceRepository.from_session(session)
    if repo.lock_status(invoice) != "pending":
        repo.lock(invoice)
        return invoice.status
    status = apply(session, invoice, outcome, pac)
    if status == "pending":
        from timbre.invoices.tasks import recover_invoice

        jobs.enqueue(session, recover_invoice, invoice.id, invoice.team_id, invoice.livemode,
                     eta=datetime.now(UTC) + FIRST_RETRY)
    return status


def _reserve_presealed(session: Session, auth: AuthContext, composed: Composed, metadata: dict[str, Any],
                       presealed: tuple[int, bytes]) -> Invoice:
    """`reserve`, sealing outside the write transaction when concurrent requests took the expected folio: the
    transaction ends having written nothing, the document is sealed for the folio the counter gives now, and
    the reservation is tried again — a few times, then it seals inside the transaction.
    Sealing is the costliest step; inside the transaction it would keep every other writer waiting."""
    for _ in range(_OPTIMISTIC_TRIES):
        try:
            return reserve(session, auth, composed, metadata, presealed=presealed, reseal=False)
        except FolioMoved as moved:
            session.commit()  # it wrote nothing (a commit, unlike a rollback, keeps the loaded objects fresh)
            presealed = (moved.folio, _sealed(composed, moved.folio))
    return reserve(session, auth, composed, metadata, presealed=presealed)


def _may_write(body: InvoiceInput) -> bool:
    """Whether resolving the request may store something (a client or service a `search` creates)."""
    client = body.client
    return not client.id or any(item.search is not None and item.search.auto_create for item in body.items)


def create(session: Session, auth: AuthContext, settings: Settings, body: InvoiceInput,
           kind: InvoiceType) -> Created:
    pac = pac_for(settings, auth.livemode)
    if _may_write(body):
        session.commit()  # end the read-only authentication transaction: the writes below start afresh
        composed = compose(session, auth, settings.secret(), body, kind)
        validation.raise_for(check_rules(session, auth, composed))
        invoice = reserve(session, auth, composed, body.metadata)
    else:
        # Resolving, SAT's rules and the seal only read: they run in the read-only transaction of the
        # authentication, and the write transaction (SQLite's lock) holds just the credit, folio and insert.
        composed = compose(session, auth, settings.secret(), body, kind)
        validation.raise_for(check_rules(session, auth, composed))
        presealed = preseal(session, auth, composed)
        session.commit()
        invoice = _reserve_presealed(session, auth, composed, body.metadata, presealed)
    session.commit()
    assert invoice.xml is not None
    outcome = attempt(pac, invoice.xml)
    status = finish(session, invoice, outcome, pac)
    if status == "valid" and body.send_email and not body.ignore_emails:
        from timbre.invoices.tasks import send_invoice_email

        jobs.enqueue(session, send_invoice_email, invoice.id, invoice.team_id, invoice.livemode, body.emails)
    session.commit()
    return Created(invoice, status)


def dry_run(session: Session, auth: AuthContext, settings: Settings, body: InvoiceInput) -> dict[str, Any]:
    """What `create` would say, without a folio, a credit, a seal or a PAC. Nothing is stored (clients or
    services a `search` would create are rolled back)."""
    kind: InvoiceType = body.invoice_type or "I"
    warnings = []
    try:
        composed = compose(session, auth, settings.secret(), body, kind, require_csd=False)
        if composed.credential is None:
            warnings.append("The team has no CSD in this mode yet: the certificate rules were not checked, and "
                            "stamping needs one (POST /v2/teams/{id}/sat-connection)")
        errors = check_rules(session, auth, composed)
    except ValidationFailed as exc:
        errors = exc.details if isinstance(exc.details, list) else [{"field": None, "message": exc.detail}]
        composed = None
    finally:
        session.rollback()
    preview = None
    if composed is not None:
        amounts = composed.amounts
        preview = {
            "invoice_type": kind, "series": composed.series, "currency": composed.data.moneda,
            "subtotal": number(amounts.subtotal), "discount": number(amounts.descuento or Decimal(0)),
            "taxes": number(amounts.total_impuestos_trasladados or Decimal(0)),
            "taxes_withheld": number(amounts.total_impuestos_retenidos or Decimal(0)),
            "total": number(amounts.total), "use": composed.data.receptor.uso_cfdi,
            "payment_method": composed.data.metodo_pago, "payment_form": composed.data.forma_pago,
            "client": composed.client_snapshot,
            "items": [item_output(ItemResolver.snapshot(line)) for line in composed.lines],
        }
    return {"valid": not errors, "errors": errors, "warnings": warnings, "invoice": preview}
