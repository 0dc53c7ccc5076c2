"""Team jobs."""

from __future__ import annotations

from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.teams import deletion
from timbre.worker.queue import huey


@huey.task()
def hard_delete_team(team_id: str) -> list[str]:
    """Delete a team whose 30-day grace period is over (a no-op if it was restored or is not due)."""
    with session_scope(get_settings().db_url) as session:
        return deletion.hard_delete_due(session, team_id)
