"""Hard deletion of teams whose grace period is over: the job scheduled when a team is flagged for deletion
(`tasks.hard_delete_team`) and the hourly sweep (`worker.periodic`) that catches a lost one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.kit.clock import now_ms
from timbre.models import DOCUMENT_MODELS, Team
from timbre.teams.repository import TeamRepository


def has_documents(session: Session, team: Team) -> bool:
    """Whether the team has issued anything (invoices, payments, receipts, retentions): such a team stays."""
    return any(session.query(model.id).filter(model.team_id == team.id).first() is not None
               for model in DOCUMENT_MODELS)


def hard_delete_due(session: Session, team_id: str | None = None) -> list[str]:
    """Hard-delete teams whose grace period is over (one team, or all that are due)."""
    repo = TeamRepository.from_session(session)
    deleted = []
    for team in repo.due_for_deletion(now_ms()):
        if team_id is not None and team.id != team_id:
            continue
        if has_documents(session, team):
            continue
        repo.hard_delete(team)
        deleted.append(team.id)
    return deleted
