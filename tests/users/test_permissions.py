"""Every cell of the permission tables in docs/api.md ("Permissions"): users, teams and API keys across a
billing account. Callers: keys of the master team M and of another team S with each role, and a key of another
account X. Users: owner (admin of M and S), S-member (editor of S), M-member (viewer of M), loner (no team)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.factories import bearer, create_account, create_key
from timbre.auth import tokens
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.kit.ids import new_id
from timbre.models import Membership, User

CALLERS = ["M-admin", "M-editor", "M-viewer", "S-admin", "S-editor", "S-viewer", "X"]


@dataclass
class World:
    keys: dict[str, str]  # caller → token
    users: dict[str, str]  # name → user id
    teams: dict[str, str]  # "M" / "S" → team id


def _user(name: str, account_id: str, memberships: list[tuple[str, str]]) -> str:
    with session_scope(get_settings().db_url) as session:
        user = User(id=new_id("user"), billing_account_id=account_id, email=f"{name}-{new_id('x')}@example.com")
        session.add(user)
        session.flush()
        for team_id, role in memberships:
            session.add(Membership(id=new_id("member"), team_id=team_id, user_id=user.id, role=role))
        return user.id


@pytest.fixture
def world(client: TestClient) -> World:
    acct, other = create_account(), create_account("Otra")
    res = client.post("/v2/teams", json={"legal_name": "Sucursal"}, headers=acct.headers())  # owner: admin of S
    assert res.status_code == 201, res.text
    s_team = res.json()["data"]["id"]
    keys = {f"{t}-{role}": create_key(team_id, role=role)
            for t, team_id in (("M", acct.team_id), ("S", s_team)) for role in ("admin", "editor", "viewer")}
    keys["X"] = other.test_key
    users = {
        "owner": acct.user_id,
        "S-member": _user("smember", acct.billing_account_id, [(s_team, "editor")]),
        "M-member": _user("mmember", acct.billing_account_id, [(acct.team_id, "viewer")]),
        "loner": _user("loner", acct.billing_account_id, []),
    }
    return World(keys, users, {"M": acct.team_id, "S": s_team})


def _expect(row: dict[str, int], caller: str) -> int:
    """A table row: callers may be grouped as "M-editor/viewer" or "S-editor/viewer"."""
    for group, status in row.items():
        if caller in group.split(","):
            return status
    raise AssertionError(f"no cell for {caller}")


def _row(m_admin: int, m_other: int, s_admin: int, s_other: int, x: int) -> dict[str, int]:
    return {"M-admin": m_admin, "M-editor,M-viewer": m_other, "S-admin": s_admin, "S-editor,S-viewer": s_other,
            "X": x}


SEE = {"owner": _row(200, 200, 200, 200, 404), "S-member": _row(200, 200, 200, 200, 404),
       "M-member": _row(200, 200, 404, 404, 404), "loner": _row(200, 200, 404, 404, 404)}
ACT = {"owner": _row(200, 403, 403, 403, 404), "S-member": _row(200, 403, 200, 403, 404),
       "M-member": _row(200, 403, 404, 403, 404)}


class TestSeeUsers:
    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("target", list(SEE))
    def test_get_and_list(self, client: TestClient, world: World, caller: str, target: str) -> None:
        headers = bearer(world.keys[caller])
        expected = _expect(SEE[target], caller)
        user_id = world.users[target]
        assert client.get(f"/v2/users/{user_id}", headers=headers).status_code == expected
        listed = client.get("/v2/users", params={"limit": 100}, headers=headers).json()["data"]
        assert (user_id in [u["id"] for u in listed]) is (expected == 200)

    def test_a_team_key_sees_only_the_teams_it_acts_on_in_a_users_memberships(self, client: TestClient,
                                                                              world: World) -> None:
        owner = client.get(f"/v2/users/{world.users['owner']}", headers=bearer(world.keys["S-admin"])).json()
        assert [t["team_id"] for t in owner["data"]["teams"]] == [world.teams["S"]]


class TestChangeAndImpersonateUsers:
    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("target", list(ACT))
    def test_update_profile(self, client: TestClient, world: World, caller: str, target: str) -> None:
        res = client.put(f"/v2/users/{world.users[target]}", json={"first_name": "Renamed"},
                         headers=bearer(world.keys[caller]))
        assert res.status_code == _expect(ACT[target], caller), res.text

    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("target", list(ACT))
    def test_password_reset(self, client: TestClient, world: World, caller: str, target: str) -> None:
        res = client.post(f"/v2/users/{world.users[target]}/reset-password", headers=bearer(world.keys[caller]))
        assert res.status_code == _expect(ACT[target], caller), res.text

    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("target", list(ACT))
    def test_password_reset_by_email(self, client: TestClient, world: World, caller: str, target: str) -> None:
        owner_of_x = client.get("/v2/users", headers=bearer(world.keys["M-admin"])).json()["data"]
        email = next(u["email"] for u in owner_of_x if u["id"] == world.users[target])
        res = client.post("/v2/users/reset-password", json={"email": email}, headers=bearer(world.keys[caller]))
        assert res.status_code == _expect(ACT[target], caller), res.text

    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("target", list(ACT))
    def test_login_link(self, client: TestClient, world: World, caller: str, target: str) -> None:
        res = client.post(f"/v2/users/{world.users[target]}/login-link", headers=bearer(world.keys[caller]))
        assert res.status_code == _expect(ACT[target], caller), res.text
        assert ("url" in res.text) is (res.status_code == 200)

    @pytest.mark.parametrize("caller", CALLERS)
    def test_create_user(self, client: TestClient, world: World, caller: str) -> None:
        res = client.post("/v2/users", json={"email": f"new-{new_id('u')}@example.com", "auto_join": True},
                          headers=bearer(world.keys[caller]))
        expected = 201 if caller in ("M-admin", "S-admin", "X") else 403
        assert res.status_code == expected, res.text


MEMBERS = {
    ("add", "loner"): _row(200, 403, 200, 403, 404),
    ("add", "M-member"): _row(200, 403, 403, 403, 404),
    ("remove", "S-member"): _row(200, 403, 200, 403, 404),
    ("remove", "owner"): _row(400, 403, 403, 403, 404),  # the owner is S's only admin
}


class TestTeamMembership:
    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize(("action", "target"), list(MEMBERS))
    def test_add_and_remove(self, client: TestClient, world: World, caller: str, action: str, target: str) -> None:
        s_team = world.teams["S"]
        path = f"/v2/teams/{s_team}/{action}-member"
        params = {"team": s_team} if caller.startswith("M") else {}
        res = client.post(path, params=params, json={"id": world.users[target]}, headers=bearer(world.keys[caller]))
        assert res.status_code == _expect(MEMBERS[(action, target)], caller), res.text


TEAMS = {"see-M": _row(200, 200, 404, 404, 404), "see-S": _row(200, 200, 200, 200, 404),
         "change-M": _row(200, 403, 404, 403, 404), "change-S": _row(200, 403, 200, 403, 404)}


class TestTeams:
    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("cell", list(TEAMS))
    def test_see_and_change(self, client: TestClient, world: World, caller: str, cell: str) -> None:
        action, team = cell.split("-")
        url, headers = f"/v2/teams/{world.teams[team]}", bearer(world.keys[caller])
        res = client.get(url, headers=headers) if action == "see" else \
            client.put(url, json={"support_phone": "5555555555"}, headers=headers)
        assert res.status_code == _expect(TEAMS[cell], caller), res.text

    @pytest.mark.parametrize("caller", CALLERS[:-1])
    def test_create(self, client: TestClient, world: World, caller: str) -> None:
        res = client.post("/v2/teams", json={"legal_name": "Nueva"}, headers=bearer(world.keys[caller]))
        assert res.status_code == (201 if caller == "M-admin" else 403), res.text


KEYS = {"M": _row(200, 403, 403, 403, 403), "S": _row(200, 403, 200, 403, 403)}


class TestApiKeys:
    @pytest.mark.parametrize("caller", CALLERS)
    @pytest.mark.parametrize("team", list(KEYS))
    def test_list_create_revoke(self, client: TestClient, world: World, caller: str, team: str) -> None:
        headers, params = bearer(world.keys[caller]), {"team": world.teams[team]}
        expected = _expect(KEYS[team], caller)
        victim = world.keys[f"{team}-viewer"]
        claims = tokens.verify(get_settings().secret(), victim)
        assert claims is not None
        assert client.get("/v2/api-keys", params=params, headers=headers).status_code == expected
        created = client.post("/v2/api-keys", params=params, json={"role": "viewer"}, headers=headers)
        assert created.status_code == (201 if expected == 200 else expected)
        revoked = client.delete(f"/v2/api-keys/{claims.key_id}", params=params, headers=headers)
        assert revoked.status_code == expected
        still_works = client.get("/v2/teams/integrations", headers=bearer(victim)).status_code == 200
        assert still_works is (expected != 200)
