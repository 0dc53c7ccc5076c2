"""All SQL of the mirrored CFDI and of the teams' download settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, or_, select

from timbre.kit.pagination import count
from timbre.kit.repository import TeamScopedRepository
from timbre.models import SatInvoice, SatMirrorSettings

_LISTED = tuple(column for column in SatInvoice.__table__.c if column.name != "xml")


@dataclass(frozen=True)
class Filters:
    direction: str | None = None
    status: str | None = None
    invoice_type: str | None = None
    issuer_rfc: str | None = None
    receiver_rfc: str | None = None
    issued_from: int | None = None
    issued_to: int | None = None


class SatInvoiceRepository(TeamScopedRepository[SatInvoice]):
    model = SatInvoice

    def by_uuid(self, team_id: str, livemode: bool, uuid: str) -> SatInvoice | None:
        row: SatInvoice | None = self.session.scalars(
            _by_uuid(), {"team_id": team_id, "livemode": livemode, "uuid": uuid.upper()}).first()
        return row

    def by_uuids(self, team_id: str, livemode: bool, uuids: Iterable[str]) -> dict[str, SatInvoice]:
        wanted = sorted({u.upper() for u in uuids})
        found: dict[str, SatInvoice] = {}
        for start in range(0, len(wanted), 500):
            stmt = self.scoped(team_id, livemode).where(SatInvoice.uuid.in_(wanted[start:start + 500]))
            found.update({row.uuid: row for row in self.session.scalars(stmt)})
        return found

    def _filtered(self, team_id: str, livemode: bool, filters: Filters) -> Select[Any]:
        stmt = self.scoped(team_id, livemode)
        for column, value in ((SatInvoice.direction, filters.direction), (SatInvoice.status, filters.status),
                              (SatInvoice.invoice_type, filters.invoice_type),
                              (SatInvoice.issuer_rfc, filters.issuer_rfc),
                              (SatInvoice.receiver_rfc, filters.receiver_rfc)):
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.issued_from is not None:
            stmt = stmt.where(SatInvoice.issued_at >= filters.issued_from)
        if filters.issued_to is not None:
            stmt = stmt.where(SatInvoice.issued_at <= filters.issued_to)
        return stmt

    def page(self, team_id: str, livemode: bool, filters: Filters, *, limit: int,
             after: SatInvoice | None) -> Sequence[Row[Any]]:
        """Newest first by issue date (then id): `limit` rows strictly after `after`, as plain rows of every
        column but the XML (a page of 100 is read without building ORM objects)."""
        stmt = self._filtered(team_id, livemode, filters).with_only_columns(*_LISTED)
        if after is not None:
            stmt = stmt.where(or_(SatInvoice.issued_at < after.issued_at,
                                  and_(SatInvoice.issued_at == after.issued_at, SatInvoice.id < after.id)))
        stmt = stmt.order_by(SatInvoice.issued_at.desc(), SatInvoice.id.desc()).limit(limit)
        return self.session.execute(stmt).all()

    def count(self, team_id: str, livemode: bool, filters: Filters) -> tuple[int, bool]:
        """(count, estimated): exact up to `kit.pagination.EXACT_COUNT_LIMIT`, PostgreSQL's estimate beyond."""
        return count(self.session, self._filtered(team_id, livemode, filters), SatInvoice)


@cache
def _by_uuid() -> Select[Any]:
    return select(SatInvoice).where(SatInvoice.team_id == bindparam("team_id"),
                                    SatInvoice.livemode == bindparam("livemode"),
                                    SatInvoice.uuid == bindparam("uuid"))


class SatMirrorSettingsRepository(TeamScopedRepository[SatMirrorSettings]):
    model = SatMirrorSettings

    def of_team(self, team_id: str, livemode: bool) -> SatMirrorSettings | None:
        row: SatMirrorSettings | None = self.session.scalars(self.scoped(team_id, livemode)).first()
        return row

    def lock_of_team(self, team_id: str, livemode: bool) -> SatMirrorSettings | None:
        row: SatMirrorSettings | None = self.session.scalars(
            self.scoped(team_id, livemode).with_for_update()).first()
        return row

    def scheduled(self) -> list[tuple[str, bool]]:
        """(team_id, livemode) of every enabled schedule: the periodic job's work list, read per team after."""
        stmt = select(SatMirrorSettings.team_id, SatMirrorSettings.livemode).where(
            SatMirrorSettings.enabled.is_(True), SatMirrorSettings.activated.is_(True))
        return [(team_id, livemode) for team_id, livemode in self.session.execute(stmt).tuples()]
