"""All SQL of SAT's lists (shared data, not team-owned)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, or_, select

from timbre.kit.bulk import insert_many
from timbre.kit.repository import Repository, TeamScopedRepository
from timbre.models import Client, SatListEntry, SatListImport, Team


class SatListRepository(Repository[SatListEntry]):
    model = SatListEntry

    def imports(self, keys: Iterable[str] | None = None) -> dict[str, SatListImport]:
        stmt = select(SatListImport)
        if keys is not None:
            stmt = stmt.where(SatListImport.list_key.in_(sorted(keys)))
        return {row.list_key: row for row in self.session.scalars(stmt)}

    def imported_from(self, sha256: str) -> Sequence[SatListImport]:
        return self.session.scalars(select(SatListImport).where(SatListImport.source_sha256 == sha256)).all()

    def replace(self, keys: Iterable[str], rows: Sequence[dict[str, Any]]) -> None:
        """Delete the lists' rows and insert `rows` (PostgreSQL COPY, SQLite executemany: `kit.bulk`)."""
        self.session.execute(delete(SatListEntry).where(SatListEntry.list_key.in_(sorted(keys))))
        insert_many(self.session, cast(Table, SatListEntry.__table__), rows)

    def counts(self) -> dict[str, int]:
        stmt = select(SatListEntry.list_key, func.count()).group_by(SatListEntry.list_key)
        return {key: int(count) for key, count in self.session.execute(stmt).tuples()}

    def of_rfc(self, rfc: str) -> Sequence[SatListEntry]:
        return self.session.scalars(_of_rfc(), {"rfc": rfc}).all()

    def of_rfcs(self, rfcs: Sequence[str]) -> Sequence[SatListEntry]:
        found: list[SatListEntry] = []
        for start in range(0, len(rfcs), 500):
            found += self.session.scalars(select(SatListEntry).where(SatListEntry.rfc.in_(rfcs[start:start + 500])))
        return found


@cache
def _of_rfc() -> Select[Any]:
    """Every list an RFC is on (the hot path of GET /sat-lists/check)."""
    return select(SatListEntry).where(SatListEntry.rfc == bindparam("rfc")).order_by(SatListEntry.list_key)


class ListedClientRepository(TeamScopedRepository[Client]):
    """Clients of a team and mode whose RFC is on SAT's lists, or that were flagged before."""

    model = Client

    def teams(self) -> Sequence[str]:
        return self.session.scalars(select(Team.id)).all()

    def to_recheck(self, team_id: str, livemode: bool, rfcs: Sequence[str]) -> Sequence[Client]:
        stmt = self.scoped(team_id, livemode).where(or_(Client.tax_id.in_(rfcs), Client.sat_status.is_not(None)))
        return self.session.scalars(stmt).all()

    def rfcs_of(self, list_key: str) -> Sequence[str]:
        return self.session.scalars(select(SatListEntry.rfc).where(SatListEntry.list_key == list_key)).all()
