"""Receiver validation through the API: RFCs, regimes and uses, zips, foreign clients, the report."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.clients.test_rfc import INVALID, VALID_FISICAS, VALID_MORALES
from tests.factories import Account, create_account
from timbre.catalogs import store
from timbre.clients.rfc import GENERICO_EXTRANJERO, GENERICO_NACIONAL

# The API trims surrounding whitespace (every input model does) and treats "" as "not given",
# so those RFCs of the pure module's list are not invalid input here.
INVALID_THROUGH_API = [(value, rule) for value, rule in INVALID if value and value == value.strip()]


def _post(client: TestClient, acct: Account, **body: Any) -> Any:
    return client.post("/v2/clients", json=body, headers=acct.headers())


def _rules(res: Any) -> list[tuple[str, str]]:
    return [(d["field"], d["rule"]) for d in res.json()["error"]["details"]]


class TestRfc:
    @pytest.mark.parametrize("rfc", VALID_MORALES + VALID_FISICAS + [GENERICO_NACIONAL, GENERICO_EXTRANJERO])
    def test_valid_rfc_is_accepted(self, client: TestClient, rfc: str) -> None:
        acct = create_account()
        res = _post(client, acct, tax_id=rfc)
        assert res.status_code == 201, res.text
        report = client.post(f"/v2/clients/validate/{res.json()['data']['id']}", headers=acct.headers()).json()
        assert report["data"]["fields"]["tax_id"] == "valid"
        assert report["data"]["receiver_kind"] in ("moral", "fisica", "generico_nacional", "generico_extranjero")

    @pytest.mark.parametrize(("rfc", "rule"), INVALID_THROUGH_API)
    def test_invalid_rfc_is_refused_naming_field_and_rule(self, client: TestClient, rfc: str, rule: str) -> None:
        acct = create_account()
        res = _post(client, acct, tax_id=rfc, name="X")
        assert res.status_code == 400, res.text
        body = res.json()
        assert body["message"] == "Invalid tax_id format"
        assert body["error"]["code"] == "validation_failed"
        assert ("tax_id", rule) in _rules(res)
        assert all(d["message"].startswith("tax_id: ") for d in body["error"]["details"])

    def test_enough_cases(self) -> None:
        assert len(VALID_MORALES + VALID_FISICAS) >= 20 and len(INVALID_THROUGH_API) >= 20

    def test_length_error_is_gigstacks(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, tax_id="EKU9003173C")
        assert res.json()["message"] == "Invalid tax_id format"
        assert res.json()["error"]["message"] == "RFC must be 12 or 13 characters"

    def test_lowercase_is_refused_not_fixed(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, tax_id="eku9003173c9")
        assert res.status_code == 400 and "EKU9003173C9" in res.json()["error"]["message"]

    def test_generic_rfcs_need_regime_616(self, client: TestClient) -> None:
        acct = create_account()
        ok = _post(client, acct, legal_name="PUBLICO EN GENERAL", tax_id=GENERICO_NACIONAL, tax_system="616",
                   use="S01")
        assert ok.status_code == 201 and ok.json()["data"]["is_valid"] is True  # no zip needed (CFDI40149)
        res = _post(client, acct, tax_id=GENERICO_NACIONAL, tax_system="601")
        assert res.status_code == 400 and ("tax_system", "tax_system_not_for_generic_rfc") in _rules(res)
        lookalike = _post(client, acct, tax_id="XAXX010101001")
        assert lookalike.status_code == 400 and ("tax_id", "rfc_check_digit") in _rules(lookalike)

    def test_publico_en_general_name_needs_the_generic_rfc(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, legal_name="PUBLICO EN GENERAL", tax_id="XIQB891116QE4")
        assert res.status_code == 400 and ("legal_name", "publico_en_general_needs_generic_rfc") in _rules(res)


class TestRegimeAndUse:
    @pytest.mark.parametrize(("body", "field", "rule", "sat_code"), [
        ({"tax_id": "EKU9003173C9", "tax_system": "612"}, "tax_system", "tax_system_not_for_persona", "CFDI40158"),
        ({"tax_id": "XIQB891116QE4", "tax_system": "601"}, "tax_system", "tax_system_not_for_persona", "CFDI40158"),
        ({"tax_system": "609"}, "tax_system", "tax_system_retired", "CFDI40157"),
        ({"tax_system": "999"}, "tax_system", "tax_system_unknown", "CFDI40157"),
        ({"use": "P01"}, "use", "use_retired", "CFDI40160"),
        ({"use": "ZZZ"}, "use", "use_unknown", "CFDI40160"),
        ({"tax_id": "EKU9003173C9", "use": "D01"}, "use", "use_not_for_persona", "CFDI40161"),
    ])
    def test_incompatible_values_are_refused(self, client: TestClient, body: dict[str, str], field: str, rule: str,
                                             sat_code: str) -> None:
        acct = create_account()
        res = _post(client, acct, **body)
        assert res.status_code == 400, res.text
        detail = next(d for d in res.json()["error"]["details"] if d["field"] == field)
        assert (detail["rule"], detail["sat_code"]) == (rule, sat_code)
        assert res.json()["message"] == "Invalid client fiscal data"

    def test_a_default_use_the_regime_does_not_allow_is_stored_flagged(self, client: TestClient) -> None:
        # gigstack's CLI creates every client with use G03, which régimen 616 does not allow (CFDI40161).
        acct = create_account()
        res = _post(client, acct, legal_name="BERENICE XIMO QUEZADA", tax_id="XIQB891116QE4", tax_system="616",
                    use="G03", address={"zip": "36257"})
        assert res.status_code == 201, res.text
        stored = res.json()["data"]
        assert stored["use"] == "G03" and stored["is_valid"] is False
        report = client.post(f"/v2/clients/validate/{stored['id']}", headers=acct.headers()).json()["data"]
        assert report["is_valid"] is False and report["fields"]["use"] == "invalid"
        issue = next(i for i in report["issues"] if i["field"] == "use")
        assert issue["rule"] == "use_not_for_tax_system" and issue["sat_code"] == "CFDI40161"
        assert "S01" in issue["message"] and "CP01" in issue["message"]
        fixed = client.put(f"/v2/clients/{stored['id']}", headers=acct.headers(), json={"use": "S01"})
        assert fixed.status_code == 200 and fixed.json()["data"]["is_valid"] is True

    def test_use_allowed_for_the_regime_is_accepted(self, client: TestClient) -> None:
        acct = create_account()
        allowed = next(r["code"] for r in store.rows("c_UsoCFDI") if store.uso_allows_regimen(r["code"], "605")
                       and store.uso_applies(r["code"], "fisica"))
        res = _post(client, acct, tax_id="XIQB891116QE4", tax_system="605", use=allowed)
        assert res.status_code == 201


class TestZipAndForeign:
    def test_unknown_zip(self, client: TestClient) -> None:
        acct = create_account()
        unknown = next(f"{n:05d}" for n in range(100_000) if not store.exists("c_CodigoPostal", f"{n:05d}"))
        res = _post(client, acct, tax_id="XIQB891116QE4", address={"zip": unknown})
        assert res.status_code == 400 and ("address.zip", "zip_unknown") in _rules(res)
        bad = _post(client, acct, address={"zip": "1234"})
        assert bad.status_code == 400 and ("address.zip", "zip_format") in _rules(bad)

    def test_foreign_client(self, client: TestClient) -> None:
        acct = create_account()
        res = _post(client, acct, legal_name="ACME INC", tax_id=GENERICO_EXTRANJERO, tax_system="616", use="S01",
                    foreign_tax_id="123456789", address={"country": "USA", "zip": "94105"})
        assert res.status_code == 201, res.text
        assert res.json()["data"]["is_valid"] is True
        report = client.post(f"/v2/clients/validate/{res.json()['data']['id']}", headers=acct.headers()).json()
        assert report["data"]["is_foreign"] is True and report["data"]["fields"]["foreign_tax_id"] == "valid"
        mex = _post(client, acct, tax_id=GENERICO_EXTRANJERO, address={"country": "MEX"})
        assert mex.status_code == 400 and ("address.country", "country_mex_for_foreign_rfc") in _rules(mex)
        bad_id = _post(client, acct, tax_id=GENERICO_EXTRANJERO, foreign_tax_id="12-34", address={"country": "USA"})
        assert bad_id.status_code == 400 and ("foreign_tax_id", "foreign_tax_id_format") in _rules(bad_id)
        unknown = _post(client, acct, address={"country": "Narnia"})
        assert unknown.status_code == 400 and ("address.country", "country_unknown") in _rules(unknown)


class TestValidateEndpoint:
    def test_full_report_field_by_field(self, client: TestClient) -> None:
        acct = create_account()
        created = _post(client, acct, legal_name="ESCUELA KEMPER URGATE", tax_id="EKU9003173C9",
                        tax_system="601").json()["data"]
        res = client.post(f"/v2/clients/validate/{created['id']}", headers=acct.headers())
        assert res.status_code == 200
        data = res.json()["data"]
        assert data["id"] == created["id"] and data["tax_id"] == "EKU9003173C9"
        assert data["is_valid"] is False and data["receiver_kind"] == "moral"
        assert data["fields"] == {"legal_name": "valid", "tax_id": "valid", "tax_system": "valid", "use": "missing",
                                  "address.zip": "missing", "address.country": "not_required",
                                  "foreign_tax_id": "not_required"}
        assert data["missing"] == ["use", "address.zip"] and data["issues"] == []
        assert data["efos"] == {"is_valid": True, "status": None}

    def test_unknown_client(self, client: TestClient) -> None:
        acct = create_account()
        assert client.post("/v2/clients/validate/client_nope", headers=acct.headers()).status_code == 404
