"""Clients API: CRUD, lists, search, modes, and the rows of gigstack's CLI contract for clients."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, bearer, create_account, create_key
from timbre.clients.schemas import ClientOut
from timbre.kit.envelope import ListEnvelope

# Valid CFDI 4.0 receivers: SAT's test taxpayers with a regime, use and zip SAT accepts for them.
MORAL: dict[str, Any] = {"legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601",
                         "use": "G03", "address": {"zip": "42501"}}
FISICA: dict[str, Any] = {"legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4", "tax_system": "612",
                          "use": "G03", "address": {"zip": "01000"}}


def _create(client: TestClient, acct: Account, live: bool = False, **body: Any) -> dict[str, Any]:
    res = client.post("/v2/clients", json=body, headers=acct.headers(live))
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


class TestCreate:
    def test_complete_client_has_every_public_field(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/clients", headers=acct.headers(), json={
            **MORAL, "name": "Kemper", "email": "Pagos@Kemper.MX", "phone": "+52 55 1234 5678",
            "company": "Kemper", "bcc": ["conta@kemper.mx"], "metadata": {"crm_id": "42"},
            "defaults": {"issue_automatic_invoices": True}})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["success"] is True and body["message"] == "Client created successfully"
        data = body["data"]
        assert data["id"].startswith("client_")
        assert data["email"] == "pagos@kemper.mx"
        assert data["is_valid"] is True
        assert data["efos"] == {"is_valid": True, "status": None}
        assert data["from"] == "api" and data["livemode"] is False
        assert data["team"] == acct.team_id and data["owner"] == acct.user_id
        assert data["bcc"] == ["conta@kemper.mx"] and data["metadata"] == {"crm_id": "42"}
        assert data["defaults"] == {"issue_automatic_invoices": True}
        assert data["address"] == {"zip": "42501"}
        assert 1_700_000_000 < data["created_at"] < 10_000_000_000  # seconds, as gigstack shows clients

    def test_all_fields_are_optional_and_missing_ones_make_it_invalid(self, client: TestClient) -> None:
        acct = create_account()
        data = _create(client, acct, email="solo@correo.mx")
        assert data["is_valid"] is False and data["tax_id"] is None
        report = client.post(f"/v2/clients/validate/{data['id']}", headers=acct.headers()).json()["data"]
        assert report["is_valid"] is False
        assert set(report["missing"]) >= {"tax_id", "tax_system", "use", "address.zip", "legal_name"}
        assert report["issues"] == []

    def test_company_suffix_is_removed_from_the_legal_name(self, client: TestClient) -> None:
        acct = create_account()
        data = _create(client, acct, **{**MORAL, "legal_name": "ESCUELA KEMPER URGATE, S.A. de C.V."})
        assert data["legal_name"] == "ESCUELA KEMPER URGATE" and data["is_valid"] is True

    def test_company_suffix_is_kept_when_asked(self, client: TestClient) -> None:
        acct = create_account()
        data = _create(client, acct, **{**MORAL, "legal_name": "ESCUELA KEMPER URGATE SA DE CV",
                                        "defaults": {"keep_full_legal_name": True}})
        assert data["legal_name"] == "ESCUELA KEMPER URGATE SA DE CV"
        assert data["is_valid"] is False  # SAT's list has the name without it (CFDI40145)

    def test_unknown_field_is_a_422(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/clients", json={"nombre": "x"}, headers=acct.headers())
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "nombre"

    def test_viewer_cannot_create(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/clients", json=MORAL, headers=bearer(create_key(acct.team_id, role="viewer")))
        assert res.status_code == 403


class TestReadUpdateDelete:
    def test_get_update_delete(self, client: TestClient) -> None:
        acct = create_account()
        created = _create(client, acct, **FISICA, metadata={"a": "1", "b": "2"})
        url = f"/v2/clients/{created['id']}"
        got = client.get(url, headers=acct.headers()).json()
        assert got["message"] == "Client retrieved successfully" and got["data"] == created
        res = client.put(url, headers=acct.headers(), json={"address": {"zip": "06600", "country": "MEX"},
                                                            "metadata": {"a": None, "c": "3"}, "use": "D01"})
        assert res.status_code == 200, res.text
        updated = res.json()["data"]
        assert updated["address"] == {"zip": "06600", "country": "MEX"}
        assert updated["metadata"] == {"b": "2", "c": "3"} and updated["use"] == "D01"
        assert updated["tax_id"] == FISICA["tax_id"] and updated["is_valid"] is True
        deleted = client.delete(url, headers=acct.headers())
        assert deleted.status_code == 200
        assert deleted.json()["data"] == {"id": created["id"], "deleted": True}
        missing = client.get(url, headers=acct.headers())
        assert missing.status_code == 404
        assert missing.json()["message"] == "Client not found"
        assert missing.json()["error"]["message"] == "The specified client does not exist"

    def test_update_is_validated_on_the_merged_client(self, client: TestClient) -> None:
        acct = create_account()
        created = _create(client, acct, **FISICA)
        # 601 is for companies: the stored RFC is an individual's.
        res = client.put(f"/v2/clients/{created['id']}", json={"tax_system": "601"}, headers=acct.headers())
        assert res.status_code == 400
        assert res.json()["error"]["details"][0]["rule"] == "tax_system_not_for_persona"
        assert client.get(f"/v2/clients/{created['id']}", headers=acct.headers()).json()["data"]["tax_system"] == "612"

    def test_empty_string_clears_a_field(self, client: TestClient) -> None:
        acct = create_account()
        created = _create(client, acct, **FISICA, phone="555")
        res = client.put(f"/v2/clients/{created['id']}", json={"phone": ""}, headers=acct.headers())
        assert res.json()["data"]["phone"] is None

    def test_test_and_live_clients_never_mix(self, client: TestClient) -> None:
        acct = create_account()
        test_client = _create(client, acct, **MORAL)
        live_client = _create(client, acct, live=True, **MORAL)
        assert live_client["livemode"] is True
        assert client.get(f"/v2/clients/{test_client['id']}", headers=acct.headers(live=True)).status_code == 404
        listed = client.get("/v2/clients", headers=acct.headers(live=True)).json()["data"]
        assert [c["id"] for c in listed] == [live_client["id"]]

    def test_other_teams_clients_are_invisible(self, client: TestClient) -> None:
        mine, other = create_account(), create_account()
        created = _create(client, other, **MORAL)
        assert client.get(f"/v2/clients/{created['id']}", headers=mine.headers()).status_code == 404
        assert client.delete(f"/v2/clients/{created['id']}", headers=mine.headers()).status_code == 404


class TestList:
    def test_cursor_pagination_and_metadata_filters(self, client: TestClient) -> None:
        acct = create_account()
        ids = [_create(client, acct, name=f"Cliente {i}", metadata={"segment": "vip" if i % 2 else "std"})["id"]
               for i in range(5)]
        first = client.get("/v2/clients", params={"limit": 2}, headers=acct.headers()).json()
        assert first["message"] == "Clients retrieved successfully"
        assert first["has_more"] is True and first["total_results"] == 5 and len(first["data"]) == 2
        second = client.get("/v2/clients", params={"limit": 2, "next": first["next"]}, headers=acct.headers()).json()
        third = client.get("/v2/clients", params={"limit": 2, "next": second["next"]}, headers=acct.headers()).json()
        walked = [c["id"] for page in (first, second, third) for c in page["data"]]
        assert walked == list(reversed(ids)) and third["has_more"] is False
        vip = client.get("/v2/clients", params={"metadata.segment": "vip"}, headers=acct.headers()).json()
        assert {c["id"] for c in vip["data"]} == {ids[1], ids[3]} and vip["page"] == 1
        same = client.get("/v2/clients", params={"metadata_segment": "vip"}, headers=acct.headers()).json()
        assert same["data"] == vip["data"]

    def test_rows_are_exactly_what_the_declared_model_renders(self, client: TestClient) -> None:
        """The list is rendered without re-validating each row against `ClientOut` (`rendered_listing`): the bytes
        must still be those the declared response model gives, field for field and in its order."""
        acct = create_account()
        _create(client, acct, **MORAL, name="Kemper", email="pagos@kemper.mx", bcc=["conta@kemper.mx"],
                metadata={"crm_id": "42"}, defaults={"issue_automatic_invoices": True})
        _create(client, acct, name="Sin datos")
        res = client.get("/v2/clients", headers=acct.headers())
        body = res.json()
        declared = ListEnvelope[ClientOut].model_validate(body).model_dump(mode="json", by_alias=True)
        assert body == declared and len(body["data"]) == 2
        assert [list(row) for row in body["data"]] == [list(row) for row in declared["data"]]
        assert list(body) == list(declared)

    def test_order_by_name_walks_past_clients_without_one(self, client: TestClient) -> None:
        """A nameless client sorts first ascending (as the empty name), and a cursor can stand on one."""
        acct = create_account()
        made = [_create(client, acct, name=name)["id"] for name in ("Beta", None, "Alfa", None, "Gama")]
        seen: list[str | None] = []
        params: dict[str, Any] = {"order_by": "name", "sort": "asc", "limit": 1}
        while True:
            res = client.get("/v2/clients", params=params, headers=acct.headers())
            assert res.status_code == 200, res.text
            seen += [c["name"] for c in res.json()["data"]]
            if not res.json()["has_more"]:
                break
            params["next"] = res.json()["next"]
        assert seen == [None, None, "Alfa", "Beta", "Gama"] and len(made) == 5

    def test_order_by_name(self, client: TestClient) -> None:
        acct = create_account()
        for name in ("Beta", "Alfa", "Gama"):
            _create(client, acct, name=name)
        res = client.get("/v2/clients", params={"order_by": "name", "sort": "asc"}, headers=acct.headers()).json()
        assert [c["name"] for c in res["data"]] == ["Alfa", "Beta", "Gama"]


class TestSearch:
    def test_matches_name_legal_name_rfc_and_email_ranked(self, client: TestClient) -> None:
        acct = create_account()
        prefix = _create(client, acct, name="Pérez Hernández Juan", email="juan@example.com")
        exact = _create(client, acct, name="Pérez", email="p@example.com")
        inner = _create(client, acct, name="Ana", legal_name="ANA DE PEREZ", email="ana@example.com")
        _create(client, acct, name="Otro", email="otro@example.com")
        res = client.get("/v2/clients/search", params={"q": "perez"}, headers=acct.headers())
        assert res.status_code == 200
        body = res.json()
        assert [c["id"] for c in body["data"]] == [exact["id"], prefix["id"], inner["id"]]
        assert body["total_results"] == body["found"] == 3 and body["has_more"] is False
        by_rfc = client.get("/v2/clients/search", params={"q": "eku9003"}, headers=acct.headers()).json()
        assert by_rfc["data"] == []
        kemper = _create(client, acct, **MORAL)
        by_rfc = client.get("/v2/clients/search", params={"q": "eku9003"}, headers=acct.headers()).json()
        assert [c["id"] for c in by_rfc["data"]] == [kemper["id"]]
        by_email = client.get("/v2/clients/search", params={"q": "juan@example"}, headers=acct.headers()).json()
        assert [c["id"] for c in by_email["data"]] == [prefix["id"]]

    def test_every_word_must_match_and_wildcards_are_literal(self, client: TestClient) -> None:
        acct = create_account()
        juan = _create(client, acct, name="Juan Pérez")
        _create(client, acct, name="Juan López")
        res = client.get("/v2/clients/search", params={"q": "pérez juan"}, headers=acct.headers()).json()
        assert [c["id"] for c in res["data"]] == [juan["id"]]
        assert client.get("/v2/clients/search", params={"q": "%"}, headers=acct.headers()).json()["data"] == []
        assert client.get("/v2/clients/search", params={"q": "_"}, headers=acct.headers()).json()["data"] == []

    def test_pages(self, client: TestClient) -> None:
        acct = create_account()
        for i in range(3):
            _create(client, acct, name=f"Tienda {i}")
        page = client.get("/v2/clients/search", params={"q": "tienda", "limit": 2, "page": 2},
                          headers=acct.headers()).json()
        assert len(page["data"]) == 1 and page["page"] == 2 and page["has_more"] is False and page["per_page"] == 2

    def test_query_is_required(self, client: TestClient) -> None:
        acct = create_account()
        assert client.get("/v2/clients/search", headers=acct.headers()).status_code == 422


class TestCliContract:
    """The requests gigstack's CLI v0.3.1 sends for clients, and the fields it reads (client-contract.md)."""

    def test_clients_create_update_get_list_search_validate_delete(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Content-Type": "application/json"}
        # clients create: {name, legal_name, email?, tax_id, tax_system?, use: "G03", address?: {zip}}
        res = client.post("/v2/clients", headers=headers, json={
            "name": "ESCUELA KEMPER URGATE", "legal_name": "ESCUELA KEMPER URGATE", "email": "a@kemper.mx",
            "tax_id": "EKU9003173C9", "tax_system": "601", "use": "G03", "address": {"zip": "42501"}})
        assert res.status_code == 201
        created = res.json()["data"]
        assert {"id", "tax_id", "email"} <= set(created)
        cid = created["id"]
        # clients update: partial {name, legal_name, email, tax_id, tax_system, address: {zip}, use}
        res = client.put(f"/v2/clients/{cid}", headers=headers, json={"address": {"zip": "06600"}})
        assert res.status_code == 200 and isinstance(res.json()["data"], dict)
        # clients get / explain
        data = client.get(f"/v2/clients/{cid}", headers=headers).json()["data"]
        for key in ("id", "legal_name", "name", "tax_id", "email", "tax_system", "use", "is_valid", "created_at"):
            assert key in data
        assert data["address"]["zip"] == "06600"
        # clients list with the CLI's list parameters (limit always, created[gte] in seconds)
        listed = client.get("/v2/clients", headers=headers,
                            params={"limit": "20", "created[gte]": str(data["created_at"] - 5)}).json()
        assert isinstance(listed["data"], list) and {"has_more", "next", "total_results"} <= set(listed)
        assert {"id", "legal_name", "name", "tax_id", "email"} <= set(listed["data"][0])
        # clients search
        found = client.get("/v2/clients/search", headers=headers, params={"q": "kemper"}).json()
        assert isinstance(found["data"], list) and found["data"][0]["id"] == cid
        # clients validate: a bodiless POST with Content-Type: application/json
        res = client.post(f"/v2/clients/validate/{cid}", headers=headers, content=b"")
        assert res.status_code == 200 and isinstance(res.json()["data"], dict)
        # clients delete: the CLI needs a JSON body
        res = client.delete(f"/v2/clients/{cid}", headers=headers)
        assert res.status_code == 200 and res.json()["success"] is True

    def test_error_message_is_readable_by_the_cli(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/clients", headers=acct.headers(), json={"name": "X", "legal_name": "X",
                                                                       "tax_id": "ABC", "use": "G03"})
        body = res.json()
        # CLI: `✗ <body.error.message || body.message>`
        assert res.status_code == 400
        assert body["message"] == "Invalid tax_id format"
        assert body["error"]["message"] == "RFC must be 12 or 13 characters"
