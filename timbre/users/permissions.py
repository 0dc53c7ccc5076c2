"""Who may see, change and impersonate which user of a billing account (docs/api.md, "Permissions").

An API key acts on its own team, or — a key of the account's master team (gigstack Connect) — on every
team of the account, with its role. It sees the users of the teams it acts on. It may change a user
(profile, password reset, team membership) or sign in as them (login link) only when that user has no
right the key lacks: every team the user belongs to is one the key acts on, with a role no higher than
the key's. So no one acts on a user with more rights than their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from timbre.auth.dependencies import AuthContext
from timbre.auth.roles import Role
from timbre.errors import Forbidden

Memberships = Iterable[tuple[str, str]]  # (team_id, role) of a user


def acts_on(auth: AuthContext, team_id: str) -> bool:
    """Whether the key acts on this team of its billing account (its own, or any with a Connect master key)."""
    return auth.key_team.is_master or team_id == auth.key_team.id


def can_see(auth: AuthContext, memberships: Memberships) -> bool:
    """A master-team key sees every user of the account; another key, the members of its team."""
    return auth.key_team.is_master or any(team_id == auth.key_team.id for team_id, _role in memberships)


def covers(auth: AuthContext, memberships: Memberships) -> bool:
    """Whether the key has every right the user has."""
    return all(acts_on(auth, team_id) and auth.role.allows(Role(role)) for team_id, role in memberships)


def require_covers(auth: AuthContext, memberships: Memberships) -> None:
    if not covers(auth, memberships):
        raise Forbidden("Insufficient permissions",
                        "This user has rights (teams or roles) that this API key does not have")
