from __future__ import annotations

import jwt
from fastapi.testclient import TestClient

from tests.factories import bearer, create_account, create_key


class TestAuthentication:
    def test_no_key_is_401_in_the_error_envelope(self, client: TestClient) -> None:
        res = client.get("/v2/teams")
        assert res.status_code == 401
        body = res.json()
        assert body["success"] is False
        assert body["message"] == "Unauthorized"
        assert body["error"]["code"] == "unauthorized"

    def test_malformed_key_is_401(self, client: TestClient) -> None:
        for value in ("Bearer nonsense", "Bearer a.b.c", "Bearer ", "Basic Zm9vOmJhcg=="):
            res = client.get("/v2/teams", headers={"Authorization": value})
            assert res.status_code == 401, value

    def test_forged_signature_is_401(self, client: TestClient) -> None:
        acct = create_account()
        claims = jwt.decode(acct.test_key, options={"verify_signature": False})
        forged = jwt.encode(claims, "not-the-server-secret", algorithm="HS256")
        assert client.get("/v2/teams", headers=bearer(forged)).status_code == 401

    def test_bearer_and_bare_key_are_accepted(self, client: TestClient) -> None:
        acct = create_account()
        assert client.get("/v2/teams", headers=bearer(acct.test_key)).status_code == 200
        assert client.get("/v2/teams", headers={"Authorization": acct.test_key}).status_code == 200

    def test_key_claims_are_what_the_cli_reads(self, client: TestClient) -> None:
        acct = create_account()
        test_claims = jwt.decode(acct.test_key, options={"verify_signature": False})
        live_claims = jwt.decode(acct.live_key, options={"verify_signature": False})
        assert test_claims["team"] == acct.team_id and test_claims["livemode"] is False
        assert "test" in test_claims["key_id"]
        assert live_claims["livemode"] is True and "test" not in live_claims["key_id"]

    def test_revoked_key_is_401(self, client: TestClient) -> None:
        acct = create_account()
        extra = client.post("/v2/api-keys", json={"name": "ci"}, headers=acct.headers()).json()["data"]
        assert client.get("/v2/teams", headers=bearer(extra["key"])).status_code == 200
        res = client.delete(f"/v2/api-keys/{extra['id']}", headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["revoked"] is True
        res = client.get("/v2/teams", headers=bearer(extra["key"]))
        assert res.status_code == 401
        assert "revoked" in res.json()["error"]["message"]


class TestApiKeysApi:
    def test_secret_is_shown_once_and_never_listed(self, client: TestClient) -> None:
        acct = create_account()
        created = client.post("/v2/api-keys", json={"name": "x", "role": "viewer"}, headers=acct.headers())
        assert created.status_code == 201
        token = created.json()["data"]["key"]
        listed = client.get("/v2/api-keys", headers=acct.headers()).json()
        assert token not in str(listed)
        assert all(item["key"] is None for item in listed["data"])

    def test_test_key_never_sees_live_keys(self, client: TestClient) -> None:
        acct = create_account()
        client.post("/v2/api-keys", json={"name": "live-only"}, headers=acct.headers(live=True))
        test_list = client.get("/v2/api-keys", headers=acct.headers()).json()["data"]
        live_list = client.get("/v2/api-keys", headers=acct.headers(live=True)).json()["data"]
        assert all(k["livemode"] is False for k in test_list)
        assert all(k["livemode"] is True for k in live_list)
        assert "live-only" not in [k["name"] for k in test_list]
        assert "live-only" in [k["name"] for k in live_list]
        live_id = next(k["id"] for k in live_list if k["name"] == "live-only")
        assert client.delete(f"/v2/api-keys/{live_id}", headers=acct.headers()).status_code == 404

    def test_a_key_cannot_create_a_stronger_key(self, client: TestClient) -> None:
        acct = create_account()
        editor = create_key(acct.team_id, role="editor")
        res = client.post("/v2/api-keys", json={"role": "admin"}, headers=bearer(editor))
        assert res.status_code == 403


class TestRoles:
    def test_viewer_reads_but_cannot_write(self, client: TestClient) -> None:
        acct = create_account()
        viewer = create_key(acct.team_id, role="viewer")
        assert client.get(f"/v2/teams/{acct.team_id}", headers=bearer(viewer)).status_code == 200
        res = client.put(f"/v2/teams/{acct.team_id}", json={"support_phone": "5555555555"}, headers=bearer(viewer))
        assert res.status_code == 403
        assert res.json()["message"] == "Insufficient permissions"
        res = client.post("/v2/users", json={"email": "v@example.com"}, headers=bearer(viewer))
        assert res.status_code == 403

    def test_editor_edits_but_does_not_manage_keys_or_settings(self, client: TestClient) -> None:
        acct = create_account()
        editor = create_key(acct.team_id, role="editor")
        # users are managed by admins (tests/users/test_permissions.py)
        assert client.put(f"/v2/users/{acct.user_id}", json={"phone": "5512345678"},
                          headers=bearer(editor)).status_code == 403
        assert client.get("/v2/api-keys", headers=bearer(editor)).status_code == 403
        res = client.put(f"/v2/teams/{acct.team_id}/settings", json={"use": "G03"}, headers=bearer(editor))
        assert res.status_code == 403
        assert res.json()["error"]["message"] == "Admin role required for this action"
