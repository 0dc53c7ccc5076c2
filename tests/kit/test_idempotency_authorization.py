"""A stored response is replayed only to a caller who could make the same request now, and a record belongs to
the team and mode the request was authorized for (each test fails if the middleware replays before auth)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import Account, bearer, create_account, create_key
from timbre.auth import tokens
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Client, IdempotencyRecord

BODY: dict[str, Any] = {"legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601",
                        "use": "G03", "address": {"zip": "42501"}}


def _child_team(client: TestClient, acct: Account) -> str:
    res = client.post("/v2/teams", json={"legal_name": "Hija SA de CV"}, headers=acct.headers())
    assert res.status_code == 201, res.text
    return str(res.json()["data"]["id"])


def _clients_of(team_id: str) -> list[Client]:
    with session_scope(get_settings().db_url) as session:
        return list(session.scalars(select(Client).where(Client.team_id == team_id)))


def _records() -> list[tuple[str, bool, str]]:
    with session_scope(get_settings().db_url) as session:
        return [(r.team_id, r.livemode, r.key) for r in session.scalars(select(IdempotencyRecord))]


def _first_post(client: TestClient, headers: dict[str, str], key: str, **params: str) -> dict[str, Any]:
    res = client.post("/v2/clients", params=params, json=BODY, headers={**headers, "Idempotency-Key": key})
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


class TestReplayNeedsAuthorization:
    def test_key_of_another_billing_account_gets_403_not_the_stored_response(self, client: TestClient) -> None:
        victim, attacker = create_account(), create_account("Otra")
        child = _child_team(client, victim)
        created = _first_post(client, victim.headers(), "k-1", team=child)
        res = client.post("/v2/clients", params={"team": child}, json=BODY,
                          headers={**attacker.headers(), "Idempotency-Key": "k-1"})
        assert res.status_code == 403 and "Idempotent-Replayed" not in res.headers
        assert created["id"] not in res.text
        assert res.json()["error"]["message"] == "Team not in same billing account"

    def test_viewer_key_does_not_replay_an_editors_create(self, client: TestClient) -> None:
        acct = create_account()
        created = _first_post(client, acct.headers(), "k-2")
        viewer = bearer(create_key(acct.team_id, role="viewer"))
        res = client.post("/v2/clients", json=BODY, headers={**viewer, "Idempotency-Key": "k-2"})
        assert res.status_code == 403 and "Idempotent-Replayed" not in res.headers
        assert created["id"] not in res.text

    def test_revoked_key_does_not_replay(self, client: TestClient) -> None:
        acct = create_account()
        editor = create_key(acct.team_id, role="editor")
        created = _first_post(client, bearer(editor), "k-3")
        claims = tokens.verify(get_settings().secret(), editor)
        assert claims is not None
        assert client.delete(f"/v2/api-keys/{claims.key_id}", headers=acct.headers()).status_code == 200
        res = client.post("/v2/clients", json=BODY, headers={**bearer(editor), "Idempotency-Key": "k-3"})
        assert res.status_code == 401 and "Idempotent-Replayed" not in res.headers
        assert created["id"] not in res.text

    def test_another_accounts_key_cannot_learn_that_a_key_was_used(self, client: TestClient) -> None:
        """The same key with another body from outside the account is the route's 403, not the 409 that would
        tell the caller the key exists."""
        victim, attacker = create_account(), create_account("Otra")
        child = _child_team(client, victim)
        _first_post(client, victim.headers(), "k-4", team=child)
        probe = {**BODY, "legal_name": "OTRO NOMBRE"}
        res = client.post("/v2/clients", params={"team": child}, json=probe,
                          headers={**attacker.headers(), "Idempotency-Key": "k-4"})
        assert res.status_code == 403
        unused = client.post("/v2/clients", params={"team": child}, json=probe,
                             headers={**attacker.headers(), "Idempotency-Key": "k-never-used"})
        assert (unused.status_code, unused.json()["error"]) == (res.status_code, res.json()["error"])


class TestTenantSelection:
    def test_a_repeated_team_parameter_is_400_and_stores_nothing(self, client: TestClient) -> None:
        victim, attacker = create_account(), create_account("Otra")
        child = _child_team(client, victim)
        split = [("team", child), ("team", attacker.team_id)]
        res = client.post("/v2/clients", params=split, json=BODY,
                          headers={**attacker.headers(), "Idempotency-Key": "k-5"})
        assert res.status_code == 400 and res.json()["error"]["code"] == "duplicate_team_parameter"
        assert _records() == [] and _clients_of(attacker.team_id) == []
        # the victim's own key still works with that idempotency key
        created = _first_post(client, victim.headers(), "k-5", team=child)
        assert [c.id for c in _clients_of(child)] == [created["id"]]

    def test_a_repeated_team_parameter_is_400_without_an_idempotency_key_too(self, client: TestClient) -> None:
        acct = create_account()
        res = client.get("/v2/clients", params=[("team", acct.team_id), ("team", acct.team_id)],
                         headers=acct.headers())
        assert res.status_code == 400

    def test_the_record_belongs_to_the_team_and_mode_acted_on(self, client: TestClient) -> None:
        acct = create_account()
        child = _child_team(client, acct)
        _first_post(client, acct.headers(live=True), "k-6", team=child)
        assert _records() == [(child, True, "k-6")]
        again = client.post("/v2/clients", params={"team": child}, json=BODY,
                            headers={**acct.headers(live=True), "Idempotency-Key": "k-6"})
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
