"""The simulated SAT's SQL. SAT sees every CFDI stamped on this server in test mode, whatever team issued it
(two teams that invoice each other see each other's documents), so its reads of `invoices` are by RFC and
UUID across teams, and select columns only: nothing here is returned to a team as such. Its own state
(requests, packages, cancellation requests) is keyed by RFC and shared by every process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, update

from timbre.kit.repository import Repository
from timbre.models import (
    EfosEntry,
    Invoice,
    PaymentComplementDocument,
    SatSimCancellation,
    SatSimPackage,
    SatSimRequest,
)

STAMPED = ("valid", "cancelled")
ADVERSE_69B = ("Presunto", "Definitivo")


def _stamped_test_cfdi() -> Select[Any]:
    return select(Invoice.uuid).where(Invoice.livemode.is_(False), Invoice.status.in_(STAMPED),
                                      Invoice.uuid.is_not(None))


class SatDocumentRepository(Repository[Invoice]):
    """What SAT holds: the stamped test-mode CFDI of every team (columns, never team rows)."""

    model = Invoice

    def _matching(self, rfc: str, issued: bool, start: str, end: str) -> Select[Any]:
        party = Invoice.stamp["rfc_emisor"].as_string() if issued else Invoice.client["tax_id"].as_string()
        return _stamped_test_cfdi().where(party == rfc, Invoice.issued_at >= start, Invoice.issued_at <= end)

    def count(self, rfc: str, issued: bool, start: str, end: str) -> int:
        query = self._matching(rfc, issued, start, end).subquery()
        return int(self.session.scalar(select(func.count()).select_from(query)) or 0)

    def uuids(self, rfc: str, issued: bool, start: str, end: str) -> list[str]:
        query = self._matching(rfc, issued, start, end).order_by(Invoice.issued_at, Invoice.uuid)
        return [str(u) for u in self.session.scalars(query)]

    def documents(self, uuids: Sequence[str]) -> list[tuple[str, bytes, str, dict[str, Any] | None]]:
        """(UUID, stamped XML, our status, cancellation) of each UUID still held, in the given order."""
        query = select(Invoice.uuid, Invoice.xml, Invoice.status, Invoice.cancellation).where(
            Invoice.livemode.is_(False), Invoice.status.in_(STAMPED), Invoice.uuid.in_(list(uuids)))
        found = {row.uuid: (row.uuid, row.xml, row.status, row.cancellation) for row in self.session.execute(query)
                 if row.xml is not None}
        return [found[u] for u in uuids if u in found]

    def document(self, uuid: str) -> tuple[bytes, str, dict[str, Any] | None] | None:
        found = self.documents([uuid.upper()])
        return (found[0][1], found[0][2], found[0][3]) if found else None

    def dependents(self, uuid: str) -> int:
        """Valid test-mode CFDI that relate to `uuid` (CfdiRelacionados) other than by substitution (04): SAT's
        "No cancelable" while any is."""
        key = uuid.upper()
        related = select(func.count()).where(Invoice.livemode.is_(False), Invoice.status == "valid",
                                             Invoice.related_text.like(f"%:{key}|%"),
                                             ~Invoice.related_text.like(f"%|04:{key}|%"))
        # Payment complements (DoctoRelacionado) that paid it and are still valid.
        paid = (select(func.count()).select_from(PaymentComplementDocument)  # complement_id: the P invoice's id
                .join(Invoice, Invoice.id == PaymentComplementDocument.complement_id)
                .where(PaymentComplementDocument.livemode.is_(False), PaymentComplementDocument.invoice_uuid == key,
                       Invoice.status == "valid"))
        return int(self.session.scalar(related) or 0) + int(self.session.scalar(paid) or 0)

    def is_efos(self, rfc: str) -> bool:
        query = select(EfosEntry.rfc).where(EfosEntry.rfc == rfc, EfosEntry.situation.in_(ADVERSE_69B))
        return self.session.scalar(query) is not None


class SimRequestRepository(Repository[SatSimRequest]):
    model = SatSimRequest

    def asked(self, query_key: str) -> Sequence[SatSimRequest]:
        return self.session.scalars(select(SatSimRequest).where(SatSimRequest.query_key == query_key)).all()

    def lock(self, request_id: str) -> SatSimRequest | None:
        """The request, its row locked until commit (PostgreSQL; SQLite's write lock is already held)."""
        query = select(SatSimRequest).where(SatSimRequest.id == request_id).with_for_update()
        return self.session.scalars(query).first()


class SimPackageRepository(Repository[SatSimPackage]):
    model = SatSimPackage

    def count_download(self, package_id: str, limit: int) -> SatSimPackage | None:
        """Counts one download if fewer than `limit` were made (atomically); the package, or None when spent."""
        counted = self.session.execute(
            update(SatSimPackage).where(SatSimPackage.id == package_id, SatSimPackage.downloads < limit)
            .values(downloads=SatSimPackage.downloads + 1))
        if getattr(counted, "rowcount", 0) != 1:
            return None
        return self.get(package_id)


class SimCancellationRepository(Repository[SatSimCancellation]):
    model = SatSimCancellation

    def lock(self, uuid: str) -> SatSimCancellation | None:
        query = select(SatSimCancellation).where(SatSimCancellation.id == uuid.upper()).with_for_update()
        return self.session.scalars(query).first()
