"""Team jobs."""

from __future__ import annotations

from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.worker.queue import huey


@huey.task()
def hard_delete_team(team_id: str) -> list[str]:
    """Delete a team whose 30-day grace period is over (a no-op if it was restored or is not due)."""
    from timbre.teams.service import team as team_service

    with session_scope(get_settings().db_url) as session:
        return team_service.hard_delete_due(session, team_id)
