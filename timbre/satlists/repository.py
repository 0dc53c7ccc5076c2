"""All SQL of SAT's lists (shared data, not team-owned)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    literal_column,
    null,
    or_,
    select,
)

from timbre.kit.bulk import insert_many
from timbre.kit.repository import Repository, TeamScopedRepository
from timbre.models import Client, EfosEntry, SatListEntry, SatListImport, Team


class Listing(NamedTuple):
    """One list an RFC is on: its key, the RFC's situation there and SAT's publication."""

    list_key: str
    situation: str
    published: str | None


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

    def listings(self, rfc: str) -> tuple[list[Listing], str | None]:
        """Every list `rfc` is on (by list key) and its situation in the EFOS table (`timbre efos import`), in one
        statement (every document issued checks its receiver)."""
        found: list[Listing] = []
        efos = None
        for key, situation, published in self.session.execute(_listings(), {"rfc": rfc}).tuples():
            if key is None:
                efos = situation
            else:
                found.append(Listing(key, situation, published))
        return found, efos

    def of_rfcs(self, rfcs: Sequence[str]) -> Sequence[SatListEntry]:
        found: list[SatListEntry] = []
        for start in range(0, len(rfcs), 500):
            found += self.session.scalars(select(SatListEntry).where(SatListEntry.rfc.in_(rfcs[start:start + 500])))
        return found


@cache
def _listings() -> CompoundSelect[str | None, str, str | None]:
    """The lists an RFC is on, by list key, and its EFOS row (the one without a list key)."""
    lists = select(SatListEntry.list_key, SatListEntry.situation, SatListEntry.published) \
        .where(SatListEntry.rfc == bindparam("rfc"))
    efos = select(null().cast(String), EfosEntry.situation, null().cast(String)) \
        .where(EfosEntry.rfc == bindparam("rfc"))
    return lists.union_all(efos).order_by(literal_column("list_key"))


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
