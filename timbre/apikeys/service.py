"""API keys: create (the token is shown once), list, revoke. Stored as id + claims + SHA-256 hash."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from timbre.auth import tokens
from timbre.errors import NotFound
from timbre.kit.clock import now_ms
from timbre.kit.crypto import sha256_hex
from timbre.kit.ids import new_id
from timbre.kit.repository import TeamScopedRepository
from timbre.models import ApiKey


class ApiKeyRepository(TeamScopedRepository[ApiKey]):
    model = ApiKey

    def by_name(self, team_id: str, livemode: bool, name: str) -> Sequence[ApiKey]:
        stmt = self.scoped(team_id, livemode).where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
        return self.session.scalars(stmt.order_by(ApiKey.created_at)).all()


class ApiKeyService:
    def create(self, session: Session, secret: str, *, team_id: str, livemode: bool, role: str = "admin",
               name: str = "", created_by: str | None = None) -> tuple[ApiKey, str]:
        mode = "live" if livemode else "test"
        key_id = new_id(f"key_{mode}", 20)
        issued = now_ms() // 1000
        token = tokens.sign(secret, tokens.KeyClaims(team=team_id, livemode=livemode, key_id=key_id, iat=issued))
        key = ApiKey(id=key_id, team_id=team_id, livemode=livemode, name=name, role=role, issued_at=issued,
                     token_hash=sha256_hex(token), created_by=created_by, prefix=token[-6:])
        ApiKeyRepository.from_session(session).add(key)
        return key, token

    def token_of(self, secret: str, key: ApiKey) -> str:
        """Re-sign an existing key's token from its stored claims (bootstrap prints keys this way)."""
        claims = tokens.KeyClaims(team=key.team_id, livemode=key.livemode, key_id=key.id, iat=key.issued_at)
        return tokens.sign(secret, claims)

    def list(self, session: Session, team_id: str, livemode: bool) -> Sequence[ApiKey]:
        repo = ApiKeyRepository.from_session(session)
        return session.scalars(repo.scoped(team_id, livemode).order_by(ApiKey.created_at, ApiKey.id)).all()

    def revoke(self, session: Session, key_id: str, *, team_id: str | None = None,
               livemode: bool | None = None) -> ApiKey:
        """Revoke a key; with a team and mode the key must belong to them (API), without (CLI) any key."""
        repo = ApiKeyRepository.from_session(session)
        if team_id is not None and livemode is not None:
            key = repo.get_scoped(key_id, team_id, livemode)
        else:
            key = session.scalars(select(ApiKey).where(ApiKey.id == key_id)).first()
        if key is None:
            raise NotFound("API key not found", "The specified API key does not exist")
        if key.revoked_at is None:
            key.revoked_at = now_ms()
            session.flush()
        return key

    @staticmethod
    def serialize(key: ApiKey) -> dict[str, Any]:
        return {
            "id": key.id,
            "name": key.name,
            "role": key.role,
            "team": key.team_id,
            "livemode": key.livemode,
            "last4": key.prefix[-4:],
            "revoked": key.revoked_at is not None,
            "revoked_at": None if key.revoked_at is None else key.revoked_at // 1000,
            "created_at": key.created_at // 1000,
        }


api_key = ApiKeyService()
