"""The shared input rules of `timbre.schemas.Strict` (`timbre.kit.storable`), through the API of every domain
whose text reaches a CFDI: characters XML cannot hold are a 400 naming the field, before anything is spent;
integers beyond 64 bits and booleans given for numbers are refused at the schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.invoices.conftest import Ready, ready, test_csd
from tests.payments.helpers import ITEM

__all__ = ["ready", "test_csd"]

# NUL, a C0 control, vertical tab (inside the text: at its ends it is stripped as whitespace), the two
# non-characters, and a lone surrogate (JSON can carry it escaped; UTF-8 cannot encode it).
BAD = ["\u0000", "\u0001", "a\u000bb", "\ufffe", "\uffff", "\ud800", "\udfff"]


def _post(ready: Ready, method: str, path: str, body: dict[str, Any]) -> Any:
    # json.dumps escapes every non-ASCII character (lone surrogates too) as \\uXXXX, as any client would.
    return ready.client.request(method, path, content=json.dumps(body).encode(),
                                headers={**ready.headers, "Content-Type": "application/json"})


def _spent(ready: Ready) -> tuple[int, int]:
    team = ready.client.get(f"/v2/teams/{ready.account.team_id}", headers=ready.headers).json()["data"]
    invoices = ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"]
    return team["used_credits"], invoices


def _assert_refused(res: Any, field: str) -> None:
    assert res.status_code == 400, res.text
    body = res.json()
    assert body["error"]["code"] == "invalid_characters"
    assert [d["field"] for d in body["error"]["details"]] == [field]
    assert field in body["error"]["message"] and "XML cannot hold" in body["error"]["message"]


class TestCharactersXmlCannotHold:
    @pytest.mark.parametrize("bad", BAD)
    def test_an_invoice_item_description_is_refused_before_a_folio(self, ready: Ready, bad: str) -> None:
        body = ready.body(items=[ready.item(description=f"Consultoria {bad} mensual")])
        _assert_refused(_post(ready, "POST", "/v2/invoices/income", body), "items[0].description")
        assert _spent(ready) == (0, 0)
        assert ready.create().json()["data"]["folio_number"] == 1  # the folio was not taken

    @pytest.mark.parametrize(("override", "field"), [
        ({"sku": "SKU\u0000"}, "items[0].sku"),
        ({"unit_name": "Serv\u0002"}, "items[0].unit_name"),
        ({"third_party": {"tax_id": "XIQB891116QE4", "legal_name": "X\uffff", "tax_system": "612",
                          "zip": "36257"}}, "items[0].third_party.legal_name"),
    ])
    def test_every_item_text_is_checked(self, ready: Ready, override: dict[str, Any], field: str) -> None:
        _assert_refused(_post(ready, "POST", "/v2/invoices/income", ready.body(items=[ready.item(**override)])),
                        field)

    def test_an_inline_client_its_address_and_the_notes(self, ready: Ready) -> None:
        client = {"legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4", "tax_system": "612",
                  "address": {"zip": "36257", "street": "Calle \ud800"}}
        _assert_refused(_post(ready, "POST", "/v2/invoices/income", ready.body(client=client)),
                        "client.address.street")
        _assert_refused(_post(ready, "POST", "/v2/invoices/income", ready.body(invoice_pdf_notes="nota \u0007")),
                        "invoice_pdf_notes")
        _assert_refused(_post(ready, "POST", "/v2/clients", {**client, "legal_name": "BERENICE\u0000",
                                                            "address": {"zip": "36257"}}), "legal_name")
        assert _spent(ready) == (0, 0)

    def test_validate_refuses_it_too(self, ready: Ready) -> None:
        body = ready.body(items=[ready.item(description="x\u0000")])
        _assert_refused(_post(ready, "POST", "/v2/invoices/validate", body), "items[0].description")

    def test_drafts(self, ready: Ready) -> None:
        body = {"invoice_type": "I", "client": {"id": ready.client_id},
                "items": [ready.item(description="borrador \u0003")]}
        _assert_refused(_post(ready, "POST", "/v2/invoices/draft", body), "items[0].description")

    def test_payments(self, ready: Ready) -> None:
        body = {"automation_type": "pue_invoice", "client": {"id": ready.client_id}, "currency": "MXN",
                "payment_form": "03", "items": [{**ITEM, "description": "pago \ufffe"}]}
        _assert_refused(_post(ready, "POST", "/v2/payments/register", body), "items[0].description")
        assert _spent(ready) == (0, 0)

    def test_complements(self, ready: Ready) -> None:
        body = {"invoices": [{"uuid": "9FB6ED1A-5F37-4FEF-980A-7F8C83B51894", "amount": 10}], "payment_form": "03",
                "operation_number": "op\u0000"}
        _assert_refused(_post(ready, "POST", "/v2/invoices/payment", body), "operation_number")

    def test_services_and_teams(self, ready: Ready) -> None:
        body = {"description": "Servicio \u0001", "unit_price": 10, "product_key": "80141503", "unit_key": "E48"}
        _assert_refused(_post(ready, "POST", "/v2/services", body), "description")
        res = _post(ready, "PUT", f"/v2/teams/{ready.account.team_id}", {"legal_name": "ESCUELA\udc00"})
        _assert_refused(res, "legal_name")

    def test_readable_text_passes(self, ready: Ready) -> None:
        body = ready.body(items=[ready.item(description="Diseño\tweb — ñandú ✓ 😀 \u00a0fin")])
        res = _post(ready, "POST", "/v2/invoices/income", body)
        assert res.status_code == 201, res.text


class TestNumbers:
    def test_a_boolean_is_not_a_number(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/income", headers=ready.headers,
                                json=ready.body(items=[ready.item(quantity=True)], folio_number=True))
        assert res.status_code == 422
        fields = {d["field"] for d in res.json()["error"]["details"]}
        assert "folio_number" in fields

    def test_an_integer_beyond_64_bits_is_refused(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/income", headers=ready.headers,
                                json=ready.body(metadata={"order": 10**20}))
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "metadata.order"
        res = ready.client.post("/v2/payments/register", headers=ready.headers, content=b'{"automation_type": '
                                b'"none", "client": {"id": "%s"}, "items": [{"description": "x", "unit_price": 1}], '
                                b'"payment_form": "03", "paid_at": 1e20}' % ready.client_id.encode())
        assert res.status_code in (400, 422), res.text
        assert _spent(ready) == (0, 0)

    def test_not_a_number_is_refused(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/income", headers={**ready.headers, "Content-Type": "application/json"},
                                content=json.dumps(ready.body(metadata={"x": float("nan")})).encode())
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "metadata.x"
