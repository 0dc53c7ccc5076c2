"""Jobs reach the real queue only after commit and never after a rollback."""

from __future__ import annotations

import pytest

from tests.factories import create_account
from timbre.config import get_settings
from timbre.kit import jobs
from timbre.kit.db import get_sessionmaker, session_scope
from timbre.models import Team
from timbre.teams.tasks import hard_delete_team
from timbre.worker import huey


def test_job_is_sent_after_commit() -> None:
    acct = create_account()
    session = get_sessionmaker(get_settings().db_url)()
    try:
        jobs.enqueue(session, hard_delete_team, acct.team_id)
        assert huey.pending_count() == 0  # not before the commit
        session.commit()
        assert [t.args for t in huey.pending()] == [(acct.team_id,)]
    finally:
        session.close()


def test_job_is_dropped_on_rollback() -> None:
    acct = create_account()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(get_settings().db_url) as session:
        team = session.get(Team, acct.team_id)
        assert team is not None
        team.legal_name = "cambiado"
        jobs.enqueue(session, hard_delete_team, acct.team_id)
        raise Boom
    assert huey.pending_count() == 0
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, acct.team_id)
        assert team is not None and team.legal_name != "cambiado"
