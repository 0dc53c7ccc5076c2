"""SAT's article 69-B list (EFOS) in the database: importing it and checking clients against it.

`timbre efos import <CSV>` loads SAT's published "Listado completo 69-B" (parsed by
`clients.efos.parse_69b`); importing the same or a newer file again only applies the differences.
A client whose RFC SAT lists as **Definitivo** (confirmed to invoice simulated operations) gets
`efos.is_valid: false`, and no CFDI may be issued to it (`assert_efos_ok`). Presunto is shown as
the client's `efos.status` but does not block: SAT has not decided yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from timbre.clients.efos import Situacion, parse_69b
from timbre.clients.repository import EfosRepository
from timbre.errors import BusinessRuleViolation
from timbre.kit.clock import now_ms
from timbre.models import Client, EfosEntry

__all__ = ["ImportResult", "assert_efos_ok", "efos_field", "efos_situations", "import_69b"]

BLOCKING = Situacion.DEFINITIVO.value


@dataclass(frozen=True)
class ImportResult:
    total: int
    inserted: int
    updated: int
    unchanged: int
    removed: int

    def to_dict(self) -> dict[str, int]:
        return {"total": self.total, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "removed": self.removed}


def import_69b(session: Session, stream: IO[bytes] | IO[str], *, prune: bool = False) -> ImportResult:
    """Upsert every taxpayer of a 69-B CSV; with `prune`, delete RFCs the file no longer lists.

    Raises `clients.efos.EfosParseError` for a file that is not a 69-B list (nothing is written then:
    the caller's transaction rolls back).
    """
    latest = {entry.rfc: entry for entry in parse_69b(stream)}  # a repeated RFC: its last row wins
    repo = EfosRepository.from_session(session)
    existing = repo.all_by_rfc()
    inserted = updated = unchanged = 0
    now = now_ms()
    for rfc, entry in latest.items():
        row = existing.get(rfc)
        if row is None:
            session.add(EfosEntry(rfc=rfc, name=entry.name[:500], situation=entry.situation.value, updated_at=now))
            inserted += 1
        elif row.situation != entry.situation.value or row.name != entry.name[:500]:
            row.situation, row.name, row.updated_at = entry.situation.value, entry.name[:500], now
            updated += 1
        else:
            unchanged += 1
    stale = sorted(set(existing) - set(latest)) if prune else []
    session.flush()
    repo.delete_rfcs(stale)
    return ImportResult(len(latest), inserted, updated, unchanged, len(stale))


def efos_situations(session: Session, rfcs: Iterable[str | None]) -> dict[str, str]:
    """Situation on the 69-B list of each listed RFC among `rfcs` (one query)."""
    return EfosRepository.from_session(session).situations(rfc for rfc in rfcs if rfc)


def efos_field(situation: str | None) -> dict[str, Any]:
    """The client's `efos` object for its RFC's situation (None: not listed)."""
    return {"is_valid": situation != BLOCKING, "status": situation}


def assert_efos_ok(session: Session, client: Client) -> None:
    """Refuse to issue a CFDI to `client` when SAT's 69-B list has its RFC as Definitivo.

    Raises BusinessRuleViolation (400) `{"message": "Client failed EFOS validation",
    "error": {"message": "Client is on SAT blacklist", ...}}`, gigstack's documented error.
    """
    if not client.tax_id:
        return
    situation = efos_situations(session, [client.tax_id]).get(client.tax_id)
    if situation == BLOCKING:
        detail = {"field": "tax_id", "rule": "efos_definitivo",
                  "message": f"tax_id: {client.tax_id} is listed as Definitivo on SAT's 69-B list"}
        raise BusinessRuleViolation("Client failed EFOS validation", "Client is on SAT blacklist", details=[detail])
