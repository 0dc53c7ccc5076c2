"""The `search` upsert of POST /clients (spec §2.1) and `resolve_client`, which invoices will call."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import Account, create_account
from timbre.auth.dependencies import AuthContext
from timbre.auth.roles import Role
from timbre.clients.resolver import ClientRef, resolve_client
from timbre.config import get_settings
from timbre.errors import Conflict, NotFound
from timbre.kit.db import session_scope
from timbre.models import ApiKey, Team

RFC = "XIQB891116QE4"
BASE = {"legal_name": "BERENICE XIMO QUEZADA", "tax_id": RFC, "tax_system": "612", "use": "G03",
        "address": {"zip": "01000"}}


def _post(client: TestClient, acct: Account, body: dict[str, Any]) -> Any:
    return client.post("/v2/clients", json=body, headers=acct.headers())


class TestUpsertMatrix:
    def test_one_match_without_update_returns_it_unchanged(self, client: TestClient) -> None:
        acct = create_account()
        original = _post(client, acct, {**BASE, "email": "old@example.com"}).json()["data"]
        res = _post(client, acct, {**BASE, "email": "new@example.com",
                                   "search": {"on_key": "tax_id", "on_value": RFC, "update": False}})
        assert res.status_code == 200
        assert res.json()["data"] == original
        assert res.json()["data"]["email"] == "old@example.com"

    def test_one_match_with_update_returns_it_updated(self, client: TestClient) -> None:
        acct = create_account()
        original = _post(client, acct, {**BASE, "email": "old@example.com"}).json()["data"]
        res = _post(client, acct, {"email": "new@example.com",
                                   "search": {"on_key": "tax_id", "on_value": RFC, "update": True}})
        assert res.status_code == 200
        data = res.json()["data"]
        assert data["id"] == original["id"] and data["email"] == "new@example.com"
        assert data["legal_name"] == BASE["legal_name"]  # fields not sent are kept
        listed = client.get("/v2/clients", headers=acct.headers()).json()
        assert listed["total_results"] == 1

    def test_no_match_creates(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, {**BASE, "search": {"on_key": "tax_id", "on_value": RFC}})
        assert res.status_code == 201
        assert res.json()["data"]["tax_id"] == RFC

    def test_several_matches_are_a_conflict_listing_their_ids(self, client: TestClient) -> None:
        acct = create_account()
        ids = [_post(client, acct, BASE).json()["data"]["id"] for _ in range(2)]
        res = _post(client, acct, {**BASE, "search": {"on_key": "tax_id", "on_value": RFC}})
        assert res.status_code == 409
        body = res.json()
        assert body["success"] is False
        assert body["error"]["code"] == "resource_conflict"
        assert body["error"]["message"] == (f'Multiple clients found matching tax_id="{RFC}". '
                                            "Please use a more specific search criteria.")
        assert body["error"]["details"] == ids


class TestSearchKeys:
    def test_on_value_defaults_to_the_payloads_field(self, client: TestClient) -> None:
        acct = create_account()
        first = _post(client, acct, {"email": "a@example.com", "name": "A"}).json()["data"]
        res = _post(client, acct, {"email": "A@Example.com", "name": "B", "search": {"on_key": "email"}})
        assert res.status_code == 200 and res.json()["data"]["id"] == first["id"]
        assert res.json()["data"]["name"] == "A"

    def test_by_metadata_and_name(self, client: TestClient) -> None:
        acct = create_account()
        first = _post(client, acct, {"name": "Tienda Roja", "metadata": {"shop_id": "77"}}).json()["data"]
        by_meta = _post(client, acct, {"name": "x", "search": {"on_key": "metadata.shop_id", "on_value": "77"}})
        assert by_meta.status_code == 200 and by_meta.json()["data"]["id"] == first["id"]
        by_name = _post(client, acct, {"search": {"on_key": "name", "on_value": "tienda roja"}})
        assert by_name.status_code == 200 and by_name.json()["data"]["id"] == first["id"]

    def test_auto_create_false_refuses_to_create(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, {**BASE, "search": {"on_key": "tax_id", "auto_create": False}})
        assert res.status_code == 404 and res.json()["message"] == "Client not found"

    def test_unknown_key_and_missing_value(self, client: TestClient) -> None:
        acct = create_account()
        assert _post(client, acct, {"search": {"on_key": "color", "on_value": "x"}}).status_code == 422
        res = _post(client, acct, {"name": "x", "search": {"on_key": "tax_id"}})
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "search.on_value"

    def test_update_still_validates(self, client: TestClient) -> None:
        acct = create_account()
        _post(client, acct, BASE)
        res = _post(client, acct, {"tax_system": "601", "search": {"on_key": "tax_id", "on_value": RFC,
                                                                   "update": True}})
        assert res.status_code == 400

    def test_the_search_is_scoped_to_the_mode(self, client: TestClient) -> None:
        acct = create_account()
        _post(client, acct, BASE)
        live = client.post("/v2/clients", json={**BASE, "search": {"on_key": "tax_id"}}, headers=acct.headers(True))
        assert live.status_code == 201 and live.json()["data"]["livemode"] is True


@pytest.fixture
def ctx() -> Iterator[tuple[Session, AuthContext]]:
    """A session and the AuthContext of a new account's test key, as an endpoint would get them."""
    acct = create_account()
    with session_scope(get_settings().db_url) as session:
        key = session.query(ApiKey).filter_by(team_id=acct.team_id, livemode=False).one()
        team = session.get(Team, acct.team_id)
        assert team is not None
        yield session, AuthContext(key=key, key_team=team, team=team, livemode=False, role=Role.admin)


class TestResolveClient:
    def test_by_id(self, ctx: tuple[Session, AuthContext]) -> None:
        session, auth = ctx
        created = resolve_client(session, auth, ClientRef(**BASE))
        assert resolve_client(session, auth, ClientRef(id=created.id)) is created
        with pytest.raises(NotFound):
            resolve_client(session, auth, ClientRef(id="client_nope"))

    def test_by_search_with_auto_create(self, ctx: tuple[Session, AuthContext]) -> None:
        session, auth = ctx
        ref = ClientRef.model_validate({"email": "pay@example.com", "name": "Payer",
                                        "search": {"on_key": "email", "on_value": "pay@example.com",
                                                   "auto_create": True}})
        first = resolve_client(session, auth, ref)
        again = resolve_client(session, auth, ref)
        assert first.id == again.id and first.email == "pay@example.com"
        assert first.team_id == auth.team_id and first.livemode is False

    def test_inline_fields_create_a_validated_client(self, ctx: tuple[Session, AuthContext]) -> None:
        session, auth = ctx
        created = resolve_client(session, auth, ClientRef(**BASE))
        assert created.id.startswith("client_") and created.tax_id == RFC
        with pytest.raises(Exception, match="Invalid tax_id format"):
            resolve_client(session, auth, ClientRef(tax_id="ABC"))

    def test_conflict_and_empty_reference(self, ctx: tuple[Session, AuthContext]) -> None:
        session, auth = ctx
        resolve_client(session, auth, ClientRef(**BASE))
        resolve_client(session, auth, ClientRef(**BASE))
        with pytest.raises(Conflict):
            resolve_client(session, auth, ClientRef.model_validate({"search": {"on_key": "tax_id", "on_value": RFC}}))
        with pytest.raises(Exception, match="Invalid client"):
            resolve_client(session, auth, ClientRef())


def test_concurrent_upserts_create_one_client(client: TestClient) -> None:
    acct = create_account()
    body = {**BASE, "search": {"on_key": "tax_id", "on_value": RFC}}
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: _post(client, acct, body), range(6)))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    assert len({r.json()["data"]["id"] for r in responses}) == 1
    assert client.get("/v2/clients", headers=acct.headers()).json()["total_results"] == 1
