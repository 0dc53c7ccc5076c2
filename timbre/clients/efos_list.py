"""SAT's article 69-B list (EFOS) in the database: importing it and checking clients against it.

`timbre efos import <CSV>` loads SAT's published "Listado completo 69-B" (parsed by
`clients.efos.parse_69b`); importing the same or a newer file again only applies the differences.
A client whose RFC SAT lists as **Definitivo** (confirmed to invoice simulated operations) gets
`efos.is_valid: false`; Presunto is shown as the client's `efos.status`. Neither refuses a document:
issuing one to a listed client answers `warnings` (`satlists.service.sat_lists.warnings`, issue 11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from timbre.clients.efos import EfosEntry, Situacion, parse_69b
from timbre.clients.repository import EfosRepository
from timbre.kit.clock import now_ms

__all__ = ["ImportResult", "apply_69b", "efos_field", "efos_situations", "import_69b"]

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
    return apply_69b(session, latest, prune=prune)


def apply_69b(session: Session, latest: Mapping[str, EfosEntry], *, prune: bool = False) -> ImportResult:
    """Bring the EFOS table to `latest` (RFC → entry of a parsed 69-B list)."""
    repo = EfosRepository.from_session(session)
    existing = repo.names_and_situations()
    now = now_ms()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for rfc, entry in latest.items():
        row = {"rfc": rfc, "name": entry.name[:500], "situation": entry.situation.value, "updated_at": now}
        before = existing.get(rfc)
        if before is None:
            new.append(row)
        elif before != (row["name"], row["situation"]):
            changed.append(row)
    stale = sorted(set(existing) - set(latest)) if prune else []
    repo.bulk_write(new, changed)  # executemany: a full SAT file (10 000 rows) in well under a second
    repo.delete_rfcs(stale)
    inserted, updated, unchanged = len(new), len(changed), len(latest) - len(new) - len(changed)
    return ImportResult(len(latest), inserted, updated, unchanged, len(stale))


def efos_situations(session: Session, rfcs: Iterable[str | None]) -> dict[str, str]:
    """Situation on the 69-B list of each listed RFC among `rfcs` (one query)."""
    return EfosRepository.from_session(session).situations(rfc for rfc in rfcs if rfc)


def efos_field(situation: str | None) -> dict[str, Any]:
    """The client's `efos` object for its RFC's situation (None: not listed)."""
    return {"is_valid": situation != BLOCKING, "status": situation}

