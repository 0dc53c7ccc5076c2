"""The authority a background job acts with (payment automations, the global-invoice run, the self-invoice
page): a team and mode, as an editor, on behalf of a user when one is known."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.auth.roles import Role
from timbre.models import ApiKey, Team


def job_auth(session: Session, team_id: str, livemode: bool, user_id: str | None) -> AuthContext | None:
    """An editor's authority over the team's `livemode` data, on behalf of `user_id`; None if the team is gone."""
    team = session.get(Team, team_id)
    if team is None:
        return None
    key = ApiKey(id="key_automation", team_id=team_id, livemode=livemode, role="editor", created_by=user_id)
    return AuthContext(key=key, key_team=team, team=team, livemode=livemode, role=Role.editor)
