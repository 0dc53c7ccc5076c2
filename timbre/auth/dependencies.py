"""Authentication and authorization as typed dependencies.

`ReadAuth`, `WriteAuth` and `AdminAuth` resolve the API key, the mode, and the team the request
acts on (the key's team, or `?team=` of the same billing account — gigstack Connect), and enforce
the role. An endpoint's signature then reads like its spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from timbre.auth import tokens
from timbre.auth.roles import Role
from timbre.config import Settings
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import BadRequest, Forbidden, Unauthorized
from timbre.kit.crypto import sha256_hex
from timbre.kit.db import is_read_only
from timbre.models import ApiKey, Team


@dataclass
class AuthContext:
    """Who is calling, in which mode, on which team."""

    key: ApiKey
    key_team: Team
    team: Team
    livemode: bool
    role: Role

    @property
    def team_id(self) -> str:
        return self.team.id

    @property
    def billing_account_id(self) -> str:
        return self.team.billing_account_id

    @property
    def user_id(self) -> str | None:
        return self.key.created_by


def _unauthorized(detail: str = "Invalid or missing authentication token") -> Unauthorized:
    return Unauthorized("Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


@cache
def _key_and_team() -> Select[ApiKey, Team]:
    return select(ApiKey, Team).outerjoin(Team, Team.id == ApiKey.team_id).where(ApiKey.id == bindparam("key_id"))


async def authenticate(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    team: str | None = Query(None, max_length=40, description="gigstack Connect: target team ID"),
) -> AuthContext:
    """The request's AuthContext. One indexed read: in the thread pool, except on a SQLite session begun
    read-only (a WAL read takes no lock and never waits), where the hand-off would cost more than the read."""
    if settings.is_sqlite and is_read_only(session):
        return _authenticate(request, session, settings, team)
    return await run_in_threadpool(_authenticate, request, session, settings, team)


def _authenticate(request: Request, session: Session, settings: Settings, team: str | None) -> AuthContext:
    if team is not None and len(request.query_params.getlist("team")) > 1:
        # Two values would let two readers of the URL pick two different tenants.
        raise BadRequest("Invalid request", "The query parameter `team` may be given only once",
                         code="duplicate_team_parameter")
    token = tokens.bearer(request.headers.get("authorization"))
    if token is None:
        raise _unauthorized()
    claims = tokens.verify(settings.secret(), token)
    if claims is None:
        raise _unauthorized("The API key is malformed or its signature is invalid")
    # The key and its team in one round trip (every request pays for it).
    found = session.execute(_key_and_team(), {"key_id": claims.key_id}).first()
    key, key_team = found if found is not None else (None, None)
    if key is None or key.token_hash != sha256_hex(token) or key.team_id != claims.team:
        raise _unauthorized("Unknown API key")
    if key.revoked_at is not None:
        raise _unauthorized("This API key has been revoked")
    if key_team is None:
        raise _unauthorized("The API key's team no longer exists")
    target = key_team
    if team and team != key_team.id:
        other = session.get(Team, team)
        if other is None or other.billing_account_id != key_team.billing_account_id:
            raise Forbidden("Access denied", "Team not in same billing account")
        if not key_team.is_master:
            raise Forbidden("Access denied", "gigstack Connect is not enabled for this API key's team")
        target = other
    return AuthContext(key=key, key_team=key_team, team=target, livemode=key.livemode, role=Role(key.role))


class RequireRole:
    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, auth: Annotated[AuthContext, Depends(authenticate)]) -> AuthContext:  # no I/O
        if not auth.role.allows(self.role):
            raise Forbidden("Insufficient permissions", f"{self.role.value.capitalize()} role required for this action")
        return auth


ReadAuth = Annotated[AuthContext, Depends(RequireRole(Role.viewer))]
WriteAuth = Annotated[AuthContext, Depends(RequireRole(Role.editor))]
AdminAuth = Annotated[AuthContext, Depends(RequireRole(Role.admin))]
