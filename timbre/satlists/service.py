"""Importing SAT's list files and answering which lists an RFC is on.

An import replaces the lists the file covers (a 69-B file: its four situations; a 69 file: the supuestos
it holds) in one transaction; importing the same file again changes nothing (its SHA-256 is recorded). A
69-B file also refreshes the EFOS table the clients' `efos` field and the invoice check read
(`clients.efos_list.import_69b`, with prune: SAT's file is the complete list).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from timbre.clients.efos import EfosEntry, Situacion
from timbre.clients.efos_list import apply_69b
from timbre.kit.clock import now_ms
from timbre.models import SatListEntry, SatListImport
from timbre.satlists.parse import parse
from timbre.satlists.repository import SatListRepository

TITLES = {
    "69b_presunto": "69-B: presuntos", "69b_definitivo": "69-B: definitivos",
    "69b_desvirtuado": "69-B: desvirtuados", "69b_sentencia_favorable": "69-B: sentencia favorable",
}


def _title(key: str, article: str) -> str:
    return TITLES.get(key) or f"{article}: {key.split('_', 1)[1].replace('_', ' ').removeprefix('bis ')}"


class SatListService:
    def import_file(self, session: Session, raw: bytes) -> dict[str, Any]:
        """Import one file; raises `parse.SatListParseError` (nothing written) when it is not a SAT list."""
        repo = SatListRepository.from_session(session)
        done = repo.imported_from(hashlib.sha256(raw).hexdigest())
        if done:  # the same bytes: the same lists, already loaded
            return {"article": done[0].article, "unchanged": True, "rows": sum(i.rows for i in done), "lists": {}}
        parsed = parse(raw)
        current = repo.imports(parsed.lists)
        rows = {(e.list_key, e.rfc): {"list_key": e.list_key, "rfc": e.rfc, "name": e.name[:500],
                                     "situation": e.situation[:60], "person_type": e.person_type,
                                     "published": (e.published or "")[:200] or None, "details": e.details}
                for e in parsed.entries}  # a repeated RFC in one list: its last row wins
        repo.replace(parsed.lists, list(rows.values()))
        counts = dict.fromkeys(parsed.lists, 0)
        for key, _rfc in rows:
            counts[key] += 1
        now = now_ms()
        for key, count in counts.items():
            row = current.get(key) or SatListImport(list_key=key)
            row.article, row.title, row.source_sha256 = parsed.article, _title(key, parsed.article), parsed.sha256
            row.source_title, row.rows, row.imported_at = parsed.title[:500], count, now
            session.add(row)
        if parsed.article == "69-B":
            situations = {s.value: s for s in Situacion}
            efos = {e.rfc: EfosEntry(e.rfc, e.name, situations[e.situation]) for e in parsed.entries}
            apply_69b(session, efos, prune=True)
        session.flush()
        return {"article": parsed.article, "unchanged": False, "rows": len(rows), "lists": counts}

    def lists(self, session: Session) -> list[dict[str, Any]]:
        repo = SatListRepository.from_session(session)
        counts = repo.counts()
        return [{"list": key, "article": row.article, "title": row.title, "count": counts.get(key, 0),
                 "source": row.source_title, "source_sha256": row.source_sha256, "imported_at": row.imported_at}
                for key, row in sorted(repo.imports().items())]

    @staticmethod
    def entry(e: SatListEntry) -> dict[str, Any]:
        return {"list": e.list_key, "situation": e.situation, "name": e.name, "person_type": e.person_type,
                "published": e.published, **e.details}

    def check(self, session: Session, rfc: str) -> dict[str, Any]:
        found = SatListRepository.from_session(session).of_rfc(rfc.strip().upper())
        return {"rfc": rfc.strip().upper(), "listed": bool(found), "lists": [self.entry(e) for e in found]}

    def warnings(self, session: Session, rfc: str | None) -> list[str]:
        """What to tell whoever issues a document to `rfc` about SAT's lists it is on: a warning, never a
        refusal (issue 11; gigstack refuses a 69-B Definitivo receiver, docs/sat-lists.md says why we differ).

        Each names the list, the RFC's situation and SAT's publication. An RFC known only from the EFOS table
        (`timbre efos import`, which keeps no publication) is named on the 69-B list with its situation.
        """
        if not rfc:
            return []
        code = rfc.strip().upper()
        found, situation = SatListRepository.from_session(session).listings(code)
        said = [_warning(code, e.list_key, e.situation, e.published) for e in found]
        if not any(e.list_key in TITLES for e in found) and situation in ADVERSE:
            said.append(_warning(code, f"69b_{situation.lower()}", situation, None))
        return said


ADVERSE = {s.value for s in Situacion if s.is_adverse}
_MEANING = {"Definitivo": "SAT has confirmed that it invoices simulated operations (article 69-B CFF)",
            "Presunto": "SAT presumes that it invoices simulated operations (article 69-B CFF)"}


def _warning(rfc: str, key: str, situation: str, published: str | None) -> str:
    article = "69-B Bis" if key.startswith("69b_bis") else "69-B" if key.startswith("69b") else "69"
    when = f", published by SAT on {published}" if published else ""
    meaning = _MEANING.get(situation) if key in TITLES else None
    return (f"The client's RFC {rfc} is on SAT's list {_title(key, article)} ({key}): {situation}{when}"
            + (f"; {meaning}" if meaning else "") + ". The document was issued anyway.")

sat_lists = SatListService()
