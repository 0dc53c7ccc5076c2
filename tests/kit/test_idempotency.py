from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.factories import create_account
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import IdempotencyRecord, Team


def _count_teams(name: str) -> int:
    with session_scope(get_settings().db_url) as session:
        return int(session.scalar(select(func.count()).select_from(Team).where(Team.legal_name == name)) or 0)


class TestIdempotency:
    def test_replay_returns_first_status_and_body(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Idempotency-Key": "abc-1"}
        first = client.post("/v2/teams", json={"legal_name": "Uno"}, headers=headers)
        again = client.post("/v2/teams", json={"legal_name": "Uno"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert _count_teams("Uno") == 1

    def test_an_impossible_team_is_refused_by_validation_not_stored(self, client: TestClient) -> None:
        """A `?team=` longer than any team id: a 422 naming the parameter (not a 500 from the record's column)."""
        acct = create_account()
        headers = {**acct.headers(), "Idempotency-Key": "abc-2"}
        res = client.post("/v2/clients", params={"team": "0" * 41}, json={"legal_name": "Uno"}, headers=headers)
        assert res.status_code == 422 and "team" in res.text

    def test_same_key_with_another_body_is_409(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Idempotency-Key": "abc-2"}
        assert client.post("/v2/teams", json={"legal_name": "Dos"}, headers=headers).status_code == 201
        res = client.post("/v2/teams", json={"legal_name": "Otro"}, headers=headers)
        assert res.status_code == 409
        assert res.json()["error"]["code"] == "idempotency_key_reused"
        assert _count_teams("Otro") == 0

    def test_body_field_idempotency_key(self, client: TestClient) -> None:
        acct = create_account()
        body = {"name": "cli", "idempotency_key": "cli_1700000000000"}
        first = client.post("/v2/api-keys", json=body, headers=acct.headers())
        # the body field is not part of ApiKeyCreate: still deduplicated before validation
        again = client.post("/v2/api-keys", json=body, headers=acct.headers())
        assert first.status_code == again.status_code
        assert again.headers.get("Idempotent-Replayed") == "true"

    def test_keys_are_scoped_per_mode(self, client: TestClient) -> None:
        acct = create_account()
        test_res = client.post("/v2/teams", json={"legal_name": "Modo"},
                               headers={**acct.headers(), "Idempotency-Key": "k"})
        live_res = client.post("/v2/teams", json={"legal_name": "Modo"},
                               headers={**acct.headers(live=True), "Idempotency-Key": "k"})
        assert "Idempotent-Replayed" not in live_res.headers
        assert test_res.json()["data"]["id"] != live_res.json()["data"]["id"]

    def test_errors_from_bad_input_are_replayed_but_not_auth_failures(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Idempotency-Key": "bad"}
        first = client.post("/v2/teams", json={"legal_name": ""}, headers=headers)
        assert first.status_code == 422
        assert client.post("/v2/teams", json={"legal_name": ""}, headers=headers).headers[
            "Idempotent-Replayed"] == "true"

    def test_response_is_encrypted_at_rest(self, client: TestClient) -> None:
        acct = create_account()
        client.post("/v2/teams", json={"legal_name": "Secreta SA"},
                    headers={**acct.headers(), "Idempotency-Key": "enc"})
        with session_scope(get_settings().db_url) as session:
            record = session.scalars(select(IdempotencyRecord)).one()
            assert record.response_body is not None and b"Secreta" not in record.response_body

    def test_20_concurrent_identical_posts_create_one_object(self, app: FastAPI, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Idempotency-Key": "concurrent-1"}

        async def burst() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
                return await asyncio.gather(*[
                    ac.post("/v2/teams", json={"legal_name": "Concurrente"}, headers=headers) for _ in range(20)
                ])

        responses = asyncio.run(burst())
        assert [r.status_code for r in responses] == [201] * 20
        assert len({r.json()["data"]["id"] for r in responses}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 19
        assert _count_teams("Concurrente") == 1
