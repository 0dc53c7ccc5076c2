"""All SQL of clients, their support documents and the SAT 69-B (EFOS) list."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Select, Table, bindparam, case, delete, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from timbre.catalogs.search import normalize
from timbre.kit.bulk import insert_many
from timbre.kit.repository import Repository, TeamScopedRepository
from timbre.kit.sqlin import dialect_of
from timbre.kit.textsearch import escape_like
from timbre.models import Client, EfosEntry, SupportDocument

MAX_MATCHES = 20  # an upsert conflict lists at most this many ids


def fold(text: str | None) -> str:
    """Accent- and case-free text with single spaces, as `Client.search_text` stores it."""
    return " ".join(normalize(text or "").replace("|", " ").split())


def search_text(client: Client) -> str:
    fields = (client.name, client.legal_name, client.company, client.email, client.tax_id)
    return "|" + "|".join(fold(value) for value in fields) + "|"


def _like(pattern: str) -> ColumnElement[bool]:
    return Client.search_text.like(pattern, escape="\\")


class ClientRepository(TeamScopedRepository[Client]):
    model = Client

    def matching(self, team_id: str, livemode: bool, key: str, value: str) -> Sequence[Client]:
        """Clients whose `key` equals `value`, case-insensitively for RFCs, e-mails and names.

        Stored RFCs are uppercase and e-mails lowercase (both are normalised on write), so those
        comparisons keep using the indexes.
        """
        stmt = self.scoped(team_id, livemode)
        if key.startswith("metadata."):
            stmt = stmt.where(Client.metadata_[key.removeprefix("metadata.")].as_string() == value)
        elif key == "tax_id":
            stmt = stmt.where(Client.tax_id == value.upper())
        elif key == "email":
            stmt = stmt.where(Client.email == value.lower())
        elif key in ("name", "legal_name", "company"):
            column: InstrumentedAttribute[Any] = getattr(Client, key)
            stmt = stmt.where(func.lower(column) == value.lower())
        else:
            stmt = stmt.where(getattr(Client, key) == value)
        return self.session.scalars(stmt.order_by(Client.created_at, Client.id).limit(MAX_MATCHES)).all()

    def lock_search(self, team_id: str, livemode: bool, key: str, value: str) -> None:
        """Serialise upserts of the same search until the transaction ends, so two concurrent requests
        cannot both find nothing and create twice. SQLite needs nothing: every writing request already
        holds its database-wide write lock (BEGIN IMMEDIATE)."""
        if dialect_of(self.session) != "postgresql":
            return
        digest = hashlib.sha256(f"{team_id}|{livemode}|{key}|{value.lower()}".encode()).digest()
        self.session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True))))

    def search(self, team_id: str, livemode: bool, query: str, *, limit: int,
               offset: int) -> tuple[Sequence[Client], int]:
        """Clients whose name, legal name, company, e-mail or RFC contain every word of `query`,
        best first: the whole query equal to a field, then starting a field, then starting a word."""
        phrase = fold(query)
        words = phrase.split()
        if not words:
            return [], 0
        stmt: Select[Any] = self.scoped(team_id, livemode).where(*(_like(f"%{escape_like(w)}%") for w in words))
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        p = escape_like(phrase)
        score: ColumnElement[Any] = (
            case((_like(f"%|{p}|%"), 100), else_=0)
            + case((_like(f"%|{p}%"), 50), else_=0)
            + case((_like(f"% {p}%"), 25), else_=0)
        )
        for word in words:
            w = escape_like(word)
            score = score + case((or_(_like(f"%|{w}%"), _like(f"% {w}%")), 5), else_=literal(0, Integer))
        rows = self.session.scalars(
            stmt.order_by(score.desc(), Client.created_at.desc(), Client.id).offset(offset).limit(limit)
        ).all()
        return rows, total


class SupportDocumentRepository(TeamScopedRepository[SupportDocument]):
    model = SupportDocument

    def of_entity(self, team_id: str, livemode: bool, entity_type: str, entity_id: str) -> Sequence[SupportDocument]:
        stmt = self.scoped(team_id, livemode).where(
            SupportDocument.entity_type == entity_type, SupportDocument.entity_id == entity_id
        )
        return self.session.scalars(stmt.order_by(SupportDocument.created_at, SupportDocument.id)).all()

    def delete_of_entity(self, team_id: str, livemode: bool, entity_type: str, entity_id: str) -> list[str]:
        """Delete the rows; return their storage keys (the files go after commit)."""
        rows = self.of_entity(team_id, livemode, entity_type, entity_id)
        keys = [row.storage_key for row in rows]
        if rows:
            self.session.execute(delete(SupportDocument).where(SupportDocument.id.in_([r.id for r in rows])))
        return keys


class EfosRepository(Repository[EfosEntry]):
    model = EfosEntry

    def situations(self, rfcs: Iterable[str]) -> dict[str, str]:
        wanted = sorted({rfc for rfc in rfcs if rfc})
        if not wanted:
            return {}
        return dict(self.session.execute(_efos_situations(), {"rfcs": wanted}).tuples().all())

    def names_and_situations(self) -> dict[str, tuple[str, str]]:
        rows = self.session.execute(select(EfosEntry.rfc, EfosEntry.name, EfosEntry.situation)).tuples()
        return {rfc: (name, situation) for rfc, name, situation in rows}

    def bulk_write(self, new: Sequence[dict[str, Any]], changed: Sequence[dict[str, Any]]) -> None:
        """Insert `new` (PostgreSQL COPY, SQLite executemany: `kit.bulk`) and update `changed` rows (by RFC,
        one executemany)."""
        table = cast(Table, EfosEntry.__table__)
        insert_many(self.session, table, new)
        if changed:
            self.session.execute(table.update().where(table.c.rfc == bindparam("key")).values(
                name=bindparam("name"), situation=bindparam("situation"), updated_at=bindparam("updated_at")),
                [{**row, "key": row["rfc"]} for row in changed])

    def delete_rfcs(self, rfcs: Sequence[str]) -> None:
        for start in range(0, len(rfcs), 500):
            self.session.execute(delete(EfosEntry).where(EfosEntry.rfc.in_(rfcs[start:start + 500])))


@cache
def _efos_situations() -> Select[str, str]:
    """The 69-B list's entries for some RFCs (every invoice checks its receiver)."""
    return select(EfosEntry.rfc, EfosEntry.situation).where(EfosEntry.rfc.in_(bindparam("rfcs", expanding=True)))
