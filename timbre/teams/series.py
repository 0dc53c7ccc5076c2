"""A team's folio series: list, create, update, and the default series its settings name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.errors import Conflict, NotFound
from timbre.kit.ids import new_id
from timbre.models import Series, Team
from timbre.teams.repository import TeamRepository
from timbre.teams.schemas import SeriesCreate, SeriesUpdate

DOCUMENT_TYPES = {"income": "income", "egress": "credit_note", "credit_note": "credit_note",
                  "payment": "complements", "complements": "complements"}
DOCUMENT_LABEL = {"income": "income invoices", "credit_note": "credit notes", "complements": "payment complements"}


class SeriesService:
    def apply_defaults(self, session: Session, team: Team, defaults: dict[str, Any], data: dict[str, Any]) -> None:
        """A default series named in settings exists as a series; folio numbers given move its counters."""
        given = data.get("default_series") or {}
        for doc_type, conf in defaults.items():
            if not isinstance(conf, dict) or not conf.get("serie"):
                continue
            row = self._ensure(session, team, doc_type, conf["serie"])
            sent = given.get(doc_type) or {}
            if sent.get("folio_number_live") is not None:
                row.counter_live = sent["folio_number_live"]
            if sent.get("folio_number_test") is not None:
                row.counter_test = sent["folio_number_test"]
            conf.pop("folio_number_live", None)
            conf.pop("folio_number_test", None)

    def _ensure(self, session: Session, team: Team, doc_type: str, name: str) -> Series:
        repo = TeamRepository.from_session(session)
        row = repo.find_series(team.id, doc_type, name)
        if row is None:
            row = Series(id=new_id("series"), team_id=team.id, document_type=doc_type, series=name)
            repo.add(row)
        return row

    def list(self, session: Session, team: Team) -> Sequence[Series]:
        return TeamRepository.from_session(session).series(team.id)

    def create(self, session: Session, team: Team, body: SeriesCreate) -> Series:
        doc_type = DOCUMENT_TYPES[body.document_type]
        repo = TeamRepository.from_session(session)
        if repo.find_series(team.id, doc_type, body.series) is not None:
            raise self._conflict(body.series, doc_type)
        row = Series(id=new_id("series"), team_id=team.id, document_type=doc_type, series=body.series,
                     counter_live=body.live, counter_test=body.test)
        try:
            with session.begin_nested():
                repo.add(row)
        except IntegrityError:
            raise self._conflict(body.series, doc_type) from None
        return row

    @staticmethod
    def _conflict(name: str, doc_type: str) -> Conflict:
        return Conflict("Series conflict", f"Series '{name}' already exists for {DOCUMENT_LABEL[doc_type]}")

    def update(self, session: Session, team: Team, name: str, body: SeriesUpdate) -> Series:
        doc_type = DOCUMENT_TYPES[body.document_type]
        row = TeamRepository.from_session(session).find_series(team.id, doc_type, name)
        if row is None:
            raise NotFound("Series not found", f"Series '{name}' does not exist for {DOCUMENT_LABEL[doc_type]}")
        if body.live is not None:
            row.counter_live = body.live
        if body.test is not None:
            row.counter_test = body.test
        session.flush()
        return row

    @staticmethod
    def serialize(row: Series) -> dict[str, Any]:
        return {
            "series": row.series,
            "document_type": row.document_type,
            "live": row.counter_live,
            "test": row.counter_test,
            "next_folio_live": row.counter_live + 1,
            "next_folio_test": row.counter_test + 1,
            "created_at": row.created_at // 1000,
        }


series = SeriesService()
