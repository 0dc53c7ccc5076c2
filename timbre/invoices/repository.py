"""All SQL of invoices: documents, folio counters, credits and the services items refer to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from timbre.catalogs.search import normalize
from timbre.kit import metrics
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.kit.repository import Repository, TeamScopedRepository
from timbre.kit.textsearch import contains_every_word, escape_like
from timbre.models import EmailMessage, Invoice, Series, Service, Team


class ListedInvoice(NamedTuple):
    """What a list shows of an invoice, read by `output.serialize` as it reads an `Invoice` (`row.metadata_`):
    a list builds these plain tuples from its rows, without the ORM's per-object bookkeeping and attribute
    instrumentation (a third of a 100-invoice page's CPU), nor the stamped CFDI's kilobytes."""

    id: str
    team_id: str
    livemode: bool
    created_at: int
    updated_at: int
    invoice_type: str
    status: str
    uuid: str | None
    series: str
    folio_number: int
    client: dict[str, Any]
    items: list[dict[str, Any]]
    currency: str
    exchange_rate: Decimal | None
    subtotal: Decimal
    discount: Decimal
    taxes_transferred: Decimal
    taxes_withheld: Decimal
    total: Decimal
    last_balance: Decimal | None
    payment_form: str | None
    payment_method: str | None
    use: str | None
    exports: str
    automation_type: str
    related_documents: list[dict[str, Any]]
    global_: dict[str, Any] | None
    pdf_notes: str | None
    metadata_: dict[str, Any]
    issued_at: str
    pac: str
    stamp: dict[str, Any] | None
    error: dict[str, Any] | None
    cancellation_status: str | None
    cancellation: dict[str, Any] | None
    acuse_xml: bytes | None
    sat_status: dict[str, Any] | None
    owner_id: str | None


def listed(stmt: Select[Any]) -> Select[Any]:
    """`stmt` (a select of `Invoice`) selecting the columns of a `ListedInvoice` instead, its conditions kept."""
    return stmt.with_only_columns(*(getattr(Invoice, key) for key in ListedInvoice._fields))


def fold(text: str | None) -> str:
    return " ".join(normalize(text or "").replace("|", " ").split())


class InvoiceRepository(TeamScopedRepository[Invoice]):
    model = Invoice

    def by_ref(self, team_id: str, livemode: bool, ref: str, invoice_type: str | None = None) -> Invoice | None:
        """An invoice by its CFDI UUID (any case) or by its id (pending and failed ones have no UUID)."""
        key = ref.upper() if len(ref) == 36 else ref
        stmt = self.scoped(team_id, livemode).where(or_(Invoice.uuid == key, Invoice.id == ref))
        if invoice_type is not None:
            stmt = stmt.where(Invoice.invoice_type == invoice_type)
        return self.session.scalars(stmt).first()

    def by_uuids(self, team_id: str, livemode: bool, uuids: Iterable[str]) -> Sequence[Invoice]:
        wanted = sorted({u.upper() for u in uuids})
        if not wanted:
            return []
        return self.session.scalars(self.scoped(team_id, livemode).where(Invoice.uuid.in_(wanted))).all()

    def folio_holder(self, team_id: str, livemode: bool, invoice_type: str, series: str,
                     folio: int) -> Invoice | None:
        """The live attempt (pending, valid or cancelled) holding a folio; failed attempts release theirs."""
        stmt = self.scoped(team_id, livemode).where(
            Invoice.invoice_type == invoice_type, Invoice.series == series, Invoice.folio_number == folio,
            Invoice.status != "failed",
        )
        return self.session.scalars(stmt).first()

    def listing(self, team_id: str, livemode: bool, invoice_type: str, *, status: str | None = None,
                client_id: str | None = None, series: str | None = None,
                payment_method: str | None = None) -> Select[Any]:
        """A list's select of `ListedInvoice` columns (paginate with `rows=ListedInvoice._make`)."""
        stmt = listed(self.scoped(team_id, livemode)).where(Invoice.invoice_type == invoice_type)
        if status:
            stmt = stmt.where(Invoice.status == status)
        if client_id:
            stmt = stmt.where(Invoice.client_id == client_id)
        if series:
            stmt = stmt.where(Invoice.series == series)
        if payment_method:
            stmt = stmt.where(Invoice.payment_method == payment_method.upper())
        return stmt

    def search(self, team_id: str, livemode: bool, query: str, *, invoice_type: str | None = None) -> Select[Any]:
        """Invoices whose UUID, series-folio, client names, RFC or e-mail contain every word of `query` (`ListedInvoice`
        columns, as `listing`)."""
        stmt = listed(self.scoped(team_id, livemode))
        if invoice_type:
            stmt = stmt.where(Invoice.invoice_type == invoice_type)
        return stmt.where(contains_every_word(Invoice.search_text, fold(query).split()))

    def dependents(self, team_id: str, livemode: bool, uuid: str) -> Sequence[Invoice]:
        """Valid documents of the team that relate to `uuid` by any relationship but a substitution (04)."""
        stmt = self.scoped(team_id, livemode).where(
            Invoice.status == "valid", Invoice.related_text.like(f"%:{escape_like(uuid.upper())}|%", escape="\\"),
            ~Invoice.related_text.like(f"%|04:{escape_like(uuid.upper())}|%", escape="\\"),
        )
        return self.session.scalars(stmt.limit(20)).all()

    def stale_pending(self, updated_before: int, limit: int = 100) -> Sequence[tuple[str, str, bool]]:
        """(id, team_id, livemode) of pending invoices nobody touched since `updated_before` (any team:
        the recovery sweep acts on each by id)."""
        stmt = (select(Invoice.id, Invoice.team_id, Invoice.livemode)
                .where(Invoice.status == "pending", Invoice.updated_at < updated_before)
                .order_by(Invoice.updated_at).limit(limit))
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt).all()]

    def pending_cancellations(self, checked_before: int, limit: int = 200) -> Sequence[tuple[str, str, bool]]:
        """(id, team_id, livemode) of valid invoices whose cancellation awaits the receiver, not asked about since
        `checked_before` (any team: the poll acts on each by id)."""
        stmt = (select(Invoice.id, Invoice.team_id, Invoice.livemode)
                .where(Invoice.cancellation_status == "pending", Invoice.status == "valid",
                       Invoice.updated_at < checked_before)
                .order_by(Invoice.updated_at).limit(limit))
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt).all()]

    def store_xml(self, invoice: Invoice, xml: bytes) -> None:
        invoice.xml = xml
        self.session.flush()

    def lock(self, invoice: Invoice) -> None:
        """Re-read the invoice and keep it locked until commit (PostgreSQL: FOR UPDATE; SQLite's write
        transaction already excludes every other writer)."""
        self.session.refresh(invoice, with_for_update=True)

    def lock_status(self, invoice: Invoice) -> tuple[str, bool]:
        """The invoice's current status and whether any e-mail has carried it, its row locked until commit (cheaper
        than `lock`: one column; the e-mails told apart in the same statement, so that an invoice none carried
        is shown without querying them)."""
        params = {"id": invoice.id, "team_id": invoice.team_id}
        status, mailed = self.session.execute(_status_for_update(), params).one()
        return str(status), bool(mailed)

    def claim_attempt(self, invoice: Invoice) -> bool:
        """Take the next stamping attempt of a pending invoice; False when another worker took it first
        or it is no longer pending (optimistic: the attempt counter is the version)."""
        result = self.session.execute(
            update(Invoice)
            .where(Invoice.id == invoice.id, Invoice.team_id == invoice.team_id, Invoice.status == "pending",
                   Invoice.attempts == invoice.attempts)
            .values(attempts=Invoice.attempts + 1, updated_at=now_ms())
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        self.session.refresh(invoice)
        return True


class FolioRepository(Repository[Series]):
    """Folio counters: `UPDATE … SET counter = counter + 1 RETURNING counter` in the caller's short
    transaction — atomic on SQLite and PostgreSQL, across any number of processes."""

    model = Series

    def next_folio(self, team_id: str, document_type: str, series: str, livemode: bool) -> int:
        params = {"in_team": team_id, "of_type": document_type, "in_series": series, "now": now_ms()}
        value = self.session.execute(_advance_counter(livemode), params).scalar_one_or_none()
        if value is None:
            self._create(team_id, document_type, series)
            value = self.session.execute(_advance_counter(livemode), params).scalar_one()
        return int(value)

    def _create(self, team_id: str, document_type: str, series: str) -> None:
        """A series is created on first use; a concurrent creator wins harmlessly."""
        now = now_ms()
        try:
            with self.session.begin_nested():
                self.session.execute(insert(Series).values(
                    id=new_id("series"), team_id=team_id, document_type=document_type, series=series,
                    counter_live=0, counter_test=0, created_at=now, updated_at=now))
        except IntegrityError:
            pass


class CreditRepository(Repository[Team]):
    """A team's credits, spent and refunded with single conditional UPDATEs (no read-modify-write)."""

    model = Team

    def spend(self, team_id: str) -> int | None:
        """Spend one credit; the new `used_credits`, or None when the limit is reached."""
        value = self.session.execute(_spend_credit(), {"team_id": team_id, "now": now_ms()}).scalar_one_or_none()
        if value is None:
            return None
        metrics.CREDITS_SPENT.inc()
        return int(value)

    def refund(self, team_id: str) -> None:
        metrics.CREDITS_REFUNDED.inc()
        self.session.execute(
            update(Team).where(Team.id == team_id, Team.used_credits > 0)
            .values(used_credits=Team.used_credits - 1).execution_options(synchronize_session=False)
        )

    def usage(self, team_id: str) -> tuple[int | None, int]:
        row = self.session.execute(select(Team.credit_limit, Team.used_credits).where(Team.id == team_id)).one()
        return row[0], int(row[1])


class ServiceLookupRepository(TeamScopedRepository[Service]):
    """The services invoice items refer to (by id or by SKU)."""

    model = Service

    def by_sku(self, team_id: str, livemode: bool, sku: str) -> Sequence[Service]:
        stmt = self.scoped(team_id, livemode).where(func.lower(Service.sku) == sku.lower())
        return self.session.scalars(stmt.order_by(Service.created_at, Service.id).limit(2)).all()


# The statements every invoice creation runs, built once (see kit.repository).

@cache
def _status_for_update() -> Select[str, bool]:
    mailed = exists().where(EmailMessage.team_id == bindparam("team_id"), EmailMessage.document_id == Invoice.id)
    return select(Invoice.status, mailed) \
        .where(Invoice.id == bindparam("id"), Invoice.team_id == bindparam("team_id")).with_for_update(of=Invoice)


def _series_is() -> Any:
    # (an UPDATE's bind parameters may not be named after its table's columns)
    return and_(Series.team_id == bindparam("in_team"), Series.document_type == bindparam("of_type"),
                Series.series == bindparam("in_series"))


@cache
def _advance_counter(livemode: bool) -> Any:
    column = Series.counter_live if livemode else Series.counter_test
    return (update(Series).where(_series_is()).values({column.key: column + 1, "updated_at": bindparam("now")})
            .returning(column).execution_options(synchronize_session=False))


@cache
def _spend_credit() -> Any:
    return (update(Team)
            .where(Team.id == bindparam("team_id"),
                   or_(Team.credit_limit.is_(None), Team.used_credits < Team.credit_limit))
            .values(used_credits=Team.used_credits + 1, updated_at=bindparam("now"))
            .returning(Team.used_credits)
            .execution_options(synchronize_session=False))
