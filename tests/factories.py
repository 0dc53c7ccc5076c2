"""Plain helpers that create real rows through the services (no mocks)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, TypeVar

from timbre.apikeys.service import api_key as key_service
from timbre.config import get_settings
from timbre.kit.clock import now_ms
from timbre.kit.crypto import random_token
from timbre.kit.db import session_scope
from timbre.kit.ids import new_id
from timbre.models import BillingAccount, Membership, Team, User
from timbre.worker import huey


@dataclass
class Account:
    billing_account_id: str
    team_id: str
    user_id: str
    test_key: str
    live_key: str

    def headers(self, live: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.live_key if live else self.test_key}"}


def _url() -> str:
    return os.environ["TIMBRE_DATABASE_URL"]


def create_account(legal_name: str = "Empresa Demo", *, email: str | None = None,
                   tax_id: str | None = None) -> Account:
    """A billing account with a master team, an admin user and admin test/live keys."""
    secret = get_settings().secret()
    with session_scope(_url()) as session:
        account = BillingAccount(id=new_id("ba"), name=legal_name)
        session.add(account)
        session.flush()
        user = User(id=new_id("user"), billing_account_id=account.id,
                    email=email or f"{random_token(6).lower()}@example.com", first_name="Ada")
        team = Team(id=new_id("team"), billing_account_id=account.id, is_master=True, legal_name=legal_name,
                    tax_id=tax_id, brand={"alias": legal_name}, owner_id=user.id, credit_period_start=now_ms(),
                    onboarding_nonce=random_token(8), settings={}, integrations={}, sat={}, address={},
                    metadata_={})
        session.add_all([user, team])
        session.flush()
        session.add(Membership(id=new_id("member"), team_id=team.id, user_id=user.id, role="admin"))
        _k1, test_key = key_service.create(session, secret, team_id=team.id, livemode=False, created_by=user.id)
        _k2, live_key = key_service.create(session, secret, team_id=team.id, livemode=True, created_by=user.id)
        return Account(account.id, team.id, user.id, test_key, live_key)


def create_key(team_id: str, *, livemode: bool = False, role: str = "admin") -> str:
    with session_scope(_url()) as session:
        _key, token = key_service.create(session, get_settings().secret(), team_id=team_id, livemode=livemode,
                                         role=role)
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_jobs() -> list[Any]:
    """Run every job waiting in the real queue (what the consumer would do), return their results."""
    results = []
    while (task := huey.dequeue()) is not None:
        results.append(huey.execute(task))
    return results


R = TypeVar("R")


def detached_row(model: type[R], row_id: str) -> R:
    """The row as the database holds it now, read in its own session and detached from it."""
    with session_scope(get_settings().db_url) as session:
        row = session.get(model, row_id)
        assert row is not None, f"no {model.__name__} {row_id}"
        session.expunge(row)
        return row
