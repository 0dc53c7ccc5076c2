"""Authorization of a raw request, outside FastAPI's dependency injection.

The idempotency middleware must not replay a stored response to a caller who could not make the request
now. It asks `authorize`: the route the request reaches, the role that route's auth dependency requires,
and the key, mode and Connect team resolved by the very function the routes use (`_authenticate`).
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from functools import lru_cache
from typing import Any

from fastapi import routing
from fastapi.dependencies.models import Dependant
from starlette.requests import Request

from timbre.auth.dependencies import RequireRole, _authenticate
from timbre.auth.roles import Role
from timbre.config import Settings
from timbre.errors import TimbreError
from timbre.kit.db import get_sessionmaker, read_only


def _required_role(dependant: Dependant) -> Role | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, RequireRole):
            return dependency.call.role
        found = _required_role(dependency)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8)
def _post_routes(app: Any) -> tuple[tuple[re.Pattern[str], Role | None], ...]:
    """Every POST route of the app, in matching order, with the role its auth dependency requires."""
    table = []
    for context in routing.iter_route_contexts(app.router.routes):
        route = context.original_route
        if isinstance(route, routing.APIRoute) and "POST" in (context.methods or ()):
            table.append((context.path_regex, _required_role(route.dependant)))
    return tuple(table)


def route_role(scope: MutableMapping[str, Any]) -> Role | None:
    """The role the POST route this request reaches requires (None: no such route, or one without API-key auth)."""
    path = scope["path"]
    for pattern, role in _post_routes(scope["app"]):
        if pattern.match(path):
            return role
    return None


def authorize(scope: MutableMapping[str, Any], settings: Settings) -> tuple[str, bool] | None:
    """The (team, livemode) this request is allowed to act on now, or None when the route would refuse it
    (no such route or no API-key auth; unknown, revoked or under-privileged key; team outside the account;
    a repeated `team`). Sync: run it in the thread pool."""
    role = route_role(scope)
    if role is None:
        return None
    request = Request(scope)
    session = get_sessionmaker(settings.db_url)()
    try:
        if settings.is_sqlite:
            read_only(session)  # a WAL read: no write lock, so the claim that follows cannot wait on ourselves
        team = request.query_params.get("team")
        auth = _authenticate(request, session, settings, team)
    except TimbreError:
        return None
    finally:
        session.close()
    if not auth.role.allows(role):
        return None
    return auth.team_id, auth.livemode
