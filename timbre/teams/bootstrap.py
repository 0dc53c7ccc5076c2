"""`timbre bootstrap`: idempotently create the first billing account, master team, admin user and one
test and one live API key, and return them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timbre.apikeys.service import ApiKeyRepository
from timbre.apikeys.service import api_key as key_service
from timbre.kit.clock import now_ms
from timbre.kit.crypto import random_token
from timbre.kit.ids import new_id
from timbre.models import BillingAccount, Membership, Team, User

KEY_NAMES = {False: "bootstrap-test", True: "bootstrap-live"}


def bootstrap(session: Session, secret: str, *, email: str = "admin@timbre.local",
              legal_name: str = "Mi Empresa") -> dict[str, Any]:
    team = session.scalars(select(Team).where(Team.is_master.is_(True)).order_by(Team.created_at)).first()
    if team is None:
        account = BillingAccount(id=new_id("ba"), name=legal_name)
        session.add(account)
        session.flush()
        user = User(id=new_id("user"), billing_account_id=account.id, email=email, first_name="Admin")
        team = Team(id=new_id("team"), billing_account_id=account.id, is_master=True, legal_name=legal_name,
                    brand={"alias": legal_name}, owner_id=user.id, credit_period_start=now_ms(),
                    onboarding_nonce=random_token(12), settings={}, integrations={}, sat={}, address={},
                    metadata_={})
        session.add_all([user, team])
        session.flush()
        session.add(Membership(id=new_id("member"), team_id=team.id, user_id=user.id, role="admin"))
        session.flush()
    user_id = team.owner_id
    repo = ApiKeyRepository.from_session(session)
    keys: dict[str, str] = {}
    for livemode, name in KEY_NAMES.items():
        existing = repo.by_name(team.id, livemode, name)
        if existing:
            token = key_service.token_of(secret, existing[0])
        else:
            _key, token = key_service.create(session, secret, team_id=team.id, livemode=livemode, role="admin",
                                             name=name, created_by=user_id)
        keys["live" if livemode else "test"] = token
    return {"team_id": team.id, "user_id": user_id, "billing_account_id": team.billing_account_id,
            "api_keys": keys}
