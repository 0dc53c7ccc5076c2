"""The error envelope and the framework edge cases the gigstack CLI depends on."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import create_account


def _is_error_envelope(body: dict[str, object], code: str) -> bool:
    error = body["error"]
    assert isinstance(error, dict)
    return body["success"] is False and bool(body["message"]) and error["code"] == code and "timestamp" in body


class TestErrors:
    def test_unknown_route_is_404_json(self, client: TestClient) -> None:
        res = client.get("/v2/does-not-exist")
        assert res.status_code == 404 and _is_error_envelope(res.json(), "not_found")

    def test_wrong_method_is_405_json(self, client: TestClient) -> None:
        res = client.patch("/v2/teams")
        assert res.status_code == 405 and _is_error_envelope(res.json(), "method_not_allowed")

    def test_path_matched_only_by_a_parameter_route_is_404(self, client: TestClient) -> None:
        acct = create_account()
        for method, path in (("GET", "/v2/invoices/nothing-here"), ("GET", "/v2/invoices/eom"),
                             ("POST", "/v2/receipts/receipt_x"), ("PATCH", "/v2/clients/client_x")):
            res = client.request(method, path, headers=acct.headers())
            assert res.status_code == 404 and _is_error_envelope(res.json(), "not_found"), (method, path)
        assert client.post("/v2/clients/customerportal", headers=acct.headers(), json={}).status_code == 422
        for method, path in (("GET", "/v2/invoices/eom/run"), ("PATCH", "/v2/clients/customerportal")):
            assert client.request(method, path, headers=acct.headers()).status_code == 405  # a literal route

    def test_malformed_json_is_400(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/teams", content=b'{"legal_name": ', headers={**acct.headers(),
                                                                            "Content-Type": "application/json"})
        assert res.status_code == 400 and _is_error_envelope(res.json(), "invalid_json")

    def test_invalid_field_is_422_naming_the_field(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/teams", json={"legal_name": "X", "brand": {"alias": "x", "primary_color": "red"}},
                          headers=acct.headers())
        assert res.status_code == 422
        body = res.json()
        assert _is_error_envelope(body, "validation_failed")
        assert body["error"]["details"][0]["field"] == "brand.primary_color"
        assert "brand.primary_color" in body["error"]["message"]

    def test_unknown_field_is_422(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/teams", json={"legal_name": "X", "legalname": "typo"}, headers=acct.headers())
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "legalname"

    def test_bodiless_post_with_json_content_type_is_accepted(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post(f"/v2/users/{acct.user_id}/login-link", content=b"",
                          headers={**acct.headers(), "Content-Type": "application/json"})
        assert res.status_code == 200, res.text

    def test_delete_accepts_a_json_body_and_answers_json(self, client: TestClient) -> None:
        acct = create_account()
        child = client.post("/v2/teams", json={"legal_name": "Borrar"}, headers=acct.headers()).json()["data"]["id"]
        res = client.request("DELETE", f"/v2/teams/{child}", json={"reason": "test"}, headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["status"] == "pending_deletion"

    def test_health_and_openapi(self, client: TestClient) -> None:
        assert client.get("/health").json()["data"]["status"] == "ok"
        spec = client.get("/v2/openapi.json").json()
        assert "/v2/teams" in spec["paths"] and "/v2/users/{user_id}/login-link" in spec["paths"]
        responses = spec["paths"]["/v2/teams"]["post"]["responses"]
        assert {"401", "403", "409", "422"} <= set(responses)
        assert client.get("/docs").status_code == 200


class TestHostileInput:
    def test_nul_in_query_path_or_body_is_400(self, client: TestClient) -> None:
        acct = create_account()
        assert client.get("/v2/api-keys?team=%00", headers=acct.headers()).status_code == 400
        assert client.get("/v2/teams/team_%00x", headers=acct.headers()).status_code == 400
        res = client.post("/v2/teams", json={"legal_name": "a\u0000b"}, headers=acct.headers())
        assert res.status_code in (201, 400)  # SQLite stores NUL; PostgreSQL cannot: never a 500
        res = client.post("/v2/teams", json={"legal_name": "x", "idempotency_key": "k\u0000"},
                          headers=acct.headers())
        assert res.status_code == 400
