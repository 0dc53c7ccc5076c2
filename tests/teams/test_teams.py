from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, create_account


def _create_user(client: TestClient, acct: Account, email: str, **extra: Any) -> str:
    res = client.post("/v2/users", json={"email": email, **extra}, headers=acct.headers())
    assert res.status_code == 201, res.text
    return str(res.json()["data"]["id"])


class TestCreateAndGet:
    def test_create_with_members_and_onboarding_url(self, client: TestClient) -> None:
        acct = create_account()
        editor = _create_user(client, acct, "editor@example.com")
        res = client.post("/v2/teams", headers=acct.headers(), json={
            "legal_name": "Hija SA de CV", "tax_id": "EKU9003173C9", "tax_system": "601",
            "brand": {"alias": "Hija", "primary_color": "#112233"}, "address": {"country": "MEX", "zip": "01000"},
            "support_email": "Soporte@Hija.mx", "add_members": [{"id": editor, "role": "editor"}],
            "add_master_team_members": True, "generate_onboarding_url": True, "metadata": {"crm": "42"}})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "Team created successfully"
        team = body["data"]
        assert team["onboarding_url"].startswith("http://testserver/onboarding/")
        assert team["support_email"] == "soporte@hija.mx"
        roles = {m["id"]: m["role"] for m in team["members"]}
        assert roles == {acct.user_id: "admin", editor: "editor"}
        assert team["sat"] == {"completed": False, "connected_at": None, "csd_expires_at": None, "test_csd": False}
        assert team["livemode"] is False and team["credit_limit"] is None and team["used_credits"] == 0
        got = client.get(f"/v2/teams/{team['id']}", headers=acct.headers()).json()
        assert got["message"] == "Team retrieved successfully" and got["data"]["metadata"] == {"crm": "42"}

    def test_without_onboarding_request_the_url_is_empty(self, client: TestClient) -> None:
        acct = create_account()
        team = client.post("/v2/teams", json={"legal_name": "X"}, headers=acct.headers()).json()["data"]
        assert team["onboarding_url"] == ""

    def test_regime_must_fit_the_kind_of_person(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/teams", json={"legal_name": "X", "tax_id": "EKU9003173C9", "tax_system": "612"},
                          headers=acct.headers())
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "tax_system"
        res = client.post("/v2/teams", json={"legal_name": "X", "tax_system": "609"}, headers=acct.headers())
        assert res.status_code == 400

    def test_tax_id_is_checked_like_a_clients(self, client: TestClient) -> None:
        acct = create_account()
        for rfc, rule in (("EKU9003173C8", "check digit"), ("EKU9013173C9", "real date"),
                          ("XAXX010101000", "generic RFC")):
            res = client.put(f"/v2/teams/{acct.team_id}", json={"tax_id": rfc}, headers=acct.headers())
            assert res.status_code == 400, rfc
            body = res.json()
            assert body["message"] == "Invalid tax_id format"
            assert body["error"]["details"][0]["field"] == "tax_id" and rule in body["error"]["message"], body
        res = client.put(f"/v2/teams/{acct.team_id}", json={"tax_id": "EKU9003173C9"}, headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["tax_id"] == "EKU9003173C9"

    def test_billing_credits_are_the_remaining_credits_or_absent(self, client: TestClient) -> None:
        acct = create_account()
        team = client.get(f"/v2/teams/{acct.team_id}", headers=acct.headers()).json()["data"]
        assert team["credit_limit"] is None and team["billing"] == {}
        client.put(f"/v2/teams/{acct.team_id}", json={"credit_limit": 25}, headers=acct.headers())
        team = client.get(f"/v2/teams/{acct.team_id}", headers=acct.headers()).json()["data"]
        assert team["billing"] == {"credits": 25}

    def test_unknown_team_is_404(self, client: TestClient) -> None:
        acct = create_account()
        res = client.get("/v2/teams/team_nope", headers=acct.headers())
        assert res.status_code == 404
        assert res.json()["message"] == "Team not found"

    def test_update(self, client: TestClient) -> None:
        acct = create_account()
        res = client.put(f"/v2/teams/{acct.team_id}", headers=acct.headers(),
                         json={"brand": {"alias": "Nuevo"}, "support_email": "a@b.mx", "tax_system": "601"})
        assert res.status_code == 200
        data = res.json()["data"]
        assert data["brand"]["alias"] == "Nuevo" and data["tax_system"] == "601"


class TestSettings:
    def test_valid_settings_are_merged(self, client: TestClient) -> None:
        acct = create_account()
        url = f"/v2/teams/{acct.team_id}/settings"
        res = client.put(url, headers=acct.headers(), json={
            "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa"}], "product_key": "80101500",
            "unit_key": "E48", "use": "G03", "periodicity": "month",
            "default_series": {"income": {"serie": "F", "folio_number_test": 100}}})
        assert res.status_code == 200, res.text
        res = client.put(url, headers=acct.headers(), json={"invoice_pdf_notes": "Gracias"})
        settings = client.get(url, headers=acct.headers()).json()["data"]
        assert settings["product_key"] == "80101500" and settings["invoice_pdf_notes"] == "Gracias"
        assert settings["periodicity"] == {"label": "Mes", "value": "month"}
        series = client.get(f"/v2/teams/{acct.team_id}/series", headers=acct.headers()).json()["data"]
        assert {"series": "F", "test": 100, "next_folio_test": 101} .items() <= series[0].items()

    def test_tax_rates_are_json_numbers(self, client: TestClient) -> None:
        acct = create_account()
        url = f"/v2/teams/{acct.team_id}/settings"
        res = client.put(url, headers=acct.headers(), json={
            "taxes": [{"type": "IVA", "rate": 0.16}], "withholding_taxes": [{"type": "ISR", "rate": 0.1,
                                                                              "withholding": True}]})
        assert res.status_code == 200, res.text
        for shown in (res.json()["data"]["settings"], client.get(url, headers=acct.headers()).json()["data"]):
            assert shown["taxes"][0]["rate"] == 0.16 and shown["withholding_taxes"][0]["rate"] == 0.1

    def test_tax_rate_outside_0_1_is_refused(self, client: TestClient) -> None:
        acct = create_account()
        res = client.put(f"/v2/teams/{acct.team_id}/settings", headers=acct.headers(),
                         json={"taxes": [{"type": "IVA", "rate": 1.6}]})
        assert res.status_code == 400
        assert res.json()["message"] == "Invalid tax settings"
        assert "Tax rate must be between 0 and 1" in res.json()["error"]["message"]

    def test_rates_sat_does_not_allow_are_refused(self, client: TestClient) -> None:
        acct = create_account()
        res = client.put(f"/v2/teams/{acct.team_id}/settings", headers=acct.headers(),
                         json={"taxes": [{"type": "IVA", "rate": 0.15}]})
        assert res.status_code == 400 and "c_TasaOCuota" in res.json()["error"]["message"]

    def test_unknown_sat_codes_are_refused(self, client: TestClient) -> None:
        acct = create_account()
        for body, field in (({"product_key": "99999999"}, "product_key"), ({"unit_key": "ZZZ"}, "unit_key"),
                            ({"use": "P01"}, "use"), ({"avoid_automations_on_currencies": ["XYZ"]},
                                                      "avoid_automations_on_currencies[0]")):
            res = client.put(f"/v2/teams/{acct.team_id}/settings", headers=acct.headers(), json=body)
            assert res.status_code == 400, body
            assert res.json()["error"]["details"][0]["field"] == field

    def test_bad_shapes_are_422(self, client: TestClient) -> None:
        acct = create_account()
        for body in ({"default_series": {"income": {"serie": "TOO-LONG-SERIES"}}}, {"eom_ppd_threshold_days": 40},
                     {"pdf_language": "fr"}, {"not_a_setting": True}):
            res = client.put(f"/v2/teams/{acct.team_id}/settings", headers=acct.headers(), json=body)
            assert res.status_code == 422, body


class TestSeries:
    def test_create_list_update_and_conflict(self, client: TestClient) -> None:
        acct = create_account()
        url = f"/v2/teams/{acct.team_id}/series"
        res = client.post(url, json={"series": "A", "live": 10}, headers=acct.headers())
        assert res.status_code == 201
        assert res.json()["data"] == {**res.json()["data"], "series": "A", "live": 10, "test": 0,
                                      "next_folio_live": 11}
        dup = client.post(url, json={"series": "A"}, headers=acct.headers())
        assert dup.status_code == 409
        assert dup.json()["message"] == "Series conflict"
        assert dup.json()["error"]["message"] == "Series 'A' already exists for income invoices"
        assert client.post(url, json={"series": "A", "document_type": "credit_note"},
                           headers=acct.headers()).status_code == 201
        res = client.put(f"{url}/A", json={"test": 5}, headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["test"] == 5
        assert client.put(f"{url}/A", json={}, headers=acct.headers()).status_code == 422
        assert client.put(f"{url}/Z", json={"live": 1}, headers=acct.headers()).status_code == 404

    def test_series_shape(self, client: TestClient) -> None:
        acct = create_account()
        for bad in ("", "A-1", "ABCDEFGHIJK", "Ñ"):
            res = client.post(f"/v2/teams/{acct.team_id}/series", json={"series": bad}, headers=acct.headers())
            assert res.status_code == 422, bad


class TestMembers:
    def test_add_duplicate_and_remove(self, client: TestClient) -> None:
        acct = create_account()
        user = _create_user(client, acct, "m@example.com")
        url = f"/v2/teams/{acct.team_id}"
        res = client.post(f"{url}/add-member", json={"id": user}, headers=acct.headers())
        assert res.status_code == 200
        assert {"id": user, "email": "m@example.com", "role": "viewer"} in res.json()["data"]
        dup = client.post(f"{url}/add-member", json={"id": user, "role": "admin"}, headers=acct.headers())
        assert dup.status_code == 409 and dup.json()["message"] == "Member already in team"
        res = client.post(f"{url}/remove-member", json={"id": user}, headers=acct.headers())
        assert res.status_code == 200 and user not in [m["id"] for m in res.json()["data"]]

    def test_the_last_admin_stays(self, client: TestClient) -> None:
        acct = create_account()
        res = client.delete(f"/v2/teams/{acct.team_id}/members/{acct.user_id}", headers=acct.headers())
        assert res.status_code == 400 and res.json()["error"]["code"] == "business_rule_violation"

    def test_users_of_another_account_cannot_be_added(self, client: TestClient) -> None:
        acct, other = create_account(), create_account("Otra")
        res = client.post(f"/v2/teams/{acct.team_id}/add-member", json={"id": other.user_id},
                          headers=acct.headers())
        assert res.status_code == 404


class TestIntegrations:
    def test_integrations_map(self, client: TestClient) -> None:
        acct = create_account()
        data = client.get("/v2/teams/integrations", headers=acct.headers()).json()["data"]
        assert data["stripe"] == {"completed": False, "category": "payments"}
        assert data["hilos"]["category"] == "messaging"
        assert client.get(f"/v2/teams/{acct.team_id}/integrations", headers=acct.headers()).json()["data"] == data
