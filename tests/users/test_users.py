from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import create_account, run_jobs
from tests.mail import Inbox
from tests.mail import smtp_server as smtp_server_ctx
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EmailMessage, User, UserToken
from timbre.users.service import verify_password


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real local SMTP server configured as TIMBRE_SMTP_URL."""
    with smtp_server_ctx() as inbox:
        monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
        yield inbox


def _emails() -> list[EmailMessage]:
    with session_scope(get_settings().db_url) as session:
        return list(session.scalars(select(EmailMessage).order_by(EmailMessage.created_at)))


class TestUsers:
    def test_create_with_auto_join_and_role(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/users", headers=acct.headers(), json={
            "email": "Nuevo@Example.com", "first_name": "Ana", "last_name": "López", "auto_join": True,
            "role": "editor", "address": {"zip": "01000"}})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "User created successfully"
        user = body["data"]
        assert user["id"].startswith("user_") and user["email"] == "nuevo@example.com"
        assert user["name"] == "Ana López" and user["role"] == "editor" and user["invitation_sent"] is True
        assert user["teams"] == [{"team_id": acct.team_id, "team_name": "Empresa Demo", "role": "editor"}]
        listed = client.get("/v2/users", headers=acct.headers()).json()
        assert listed["message"] == "Users retrieved successfully" and listed["total_results"] == 2

    def test_without_auto_join_no_membership(self, client: TestClient) -> None:
        acct = create_account()
        user = client.post("/v2/users", json={"email": "x@example.com", "firstName": "X"},
                           headers=acct.headers()).json()["data"]
        assert user["teams"] == [] and user["role"] is None and user["first_name"] == "X"

    def test_duplicate_email_is_409(self, client: TestClient) -> None:
        acct = create_account()
        client.post("/v2/users", json={"email": "dup@example.com"}, headers=acct.headers())
        res = client.post("/v2/users", json={"email": "DUP@example.com"}, headers=acct.headers())
        assert res.status_code == 409

    def test_update_and_scoping(self, client: TestClient) -> None:
        acct, other = create_account(), create_account("Otra")
        res = client.put(f"/v2/users/{acct.user_id}", json={"firstName": "Grace", "company_role": "CFO"},
                         headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["firstName"] == "Grace"
        assert client.get(f"/v2/users/{other.user_id}", headers=acct.headers()).status_code == 404
        assert client.get("/v2/users", headers=acct.headers()).json()["total_results"] == 1

    def test_invalid_email_is_422(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/users", json={"email": "not-an-email"}, headers=acct.headers())
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "email"


class TestPasswordReset:
    def test_without_smtp_the_email_is_recorded(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post(f"/v2/users/{acct.user_id}/reset-password", json={}, headers=acct.headers())
        assert res.status_code == 200
        assert res.json()["message"] == "Password reset email sent"
        assert res.json()["data"]["delivery"] == "recorded"
        # while it waits the body is sealed; once recorded only the fact that it was sent stays, no usable link
        assert "reset-password/" not in _emails()[0].body and _emails()[0].body.startswith("aesgcm:")
        assert run_jobs() == ["recorded"]
        assert [(m.status, m.body) for m in _emails()] == [("recorded", "")]
        assert _emails()[0].subject == "Reset your Timbre password"

    def test_with_smtp_the_email_arrives_and_the_link_works_once(self, client: TestClient,
                                                                  smtp_server: Inbox) -> None:
        acct = create_account(email="ada@example.com")
        res = client.post("/v2/users/reset-password", json={"email": "ada@example.com"}, headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["delivery"] == "email"
        assert "sent" in run_jobs()
        assert len(smtp_server.messages) == 1
        mail = smtp_server.messages[0]
        assert "To: ada@example.com" in mail
        link = re.search(r"http://testserver(/reset-password/\S+)", mail)
        assert link is not None
        # the token is stored hashed only, and the delivered body is not kept at rest
        with session_scope(get_settings().db_url) as session:
            hashes = [t.token_hash for t in session.scalars(select(UserToken))]
            assert link.group(1).rsplit("/", 1)[1] not in str(hashes)
        assert _emails()[0].status == "sent" and _emails()[0].body == ""
        page = client.get(link.group(1))
        assert page.status_code == 200 and "ada@example.com" in page.text
        short = client.post(link.group(1), data={"password": "short"})
        assert short.status_code == 400
        done = client.post(link.group(1), data={"password": "correct horse battery"})
        assert done.status_code == 200 and "Contraseña actualizada" in done.text
        with session_scope(get_settings().db_url) as session:
            user = session.get(User, acct.user_id)
            assert user is not None and user.password_hash and user.password_hash.startswith("$argon2")
            assert verify_password(user.password_hash, "correct horse battery")
        assert client.get(link.group(1)).status_code == 410
        assert client.post(link.group(1), data={"password": "another long pass"}).status_code == 410

    def test_unknown_email_is_404(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/users/reset-password", json={"email": "nobody@example.com"}, headers=acct.headers())
        assert res.status_code == 404


class TestLoginLink:
    def test_single_use(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post(f"/v2/users/{acct.user_id}/login-link", headers=acct.headers())
        assert res.status_code == 200
        data = res.json()["data"]
        path = data["url"].replace("http://testserver", "")
        for _ in range(2):  # opening the link (as a mail scanner would) does not use it up
            shown = client.get(path)
            assert shown.status_code == 200 and "set-cookie" not in shown.headers and "Entrar" in shown.text
        first = client.post(path)
        assert first.status_code == 200 and "timbre_session" in first.headers.get("set-cookie", "")
        assert client.get(path).status_code == 410
        assert client.post(path).status_code == 410
        assert client.get("/login/not-a-token").status_code == 410
