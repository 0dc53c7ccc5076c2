"""Every rate and amount the API answers is a JSON number (gigstack's examples and CLI read numbers), in every
domain: teams, clients, services, invoices, credit notes, payments, drafts and complements, one object and its
list each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.invoices.conftest import Ready, ready, test_csd

__all__ = ["ready", "test_csd"]

# A string that is a decimal number, where a client would expect a number.
_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
# Numeric-looking strings that are codes, not amounts (SAT keys, folio, series, times).
_CODE_KEYS = {"product_key", "unit_key", "zip", "tax_system", "series", "folio", "payment_form", "use",
              "no_certificado", "no_certificado_sat", "issued_at", "fecha_timbrado", "version", "taxability",
              "exports", "relationship", "motive"}


def _strings_that_are_numbers(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _CODE_KEYS:
                yield from _strings_that_are_numbers(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings_that_are_numbers(item, f"{path}[{i}]")
    elif isinstance(value, str) and _DECIMAL_TEXT.match(value):
        yield f"{path} = {value!r}"


def _get(ready: Ready, path: str) -> Any:
    res = ready.client.get(f"/v2{path}", headers=ready.headers)
    assert res.status_code == 200, (path, res.text)
    return res.json()


def _post(ready: Ready, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    res = ready.client.post(f"/v2{path}", headers=ready.headers, json=body)
    assert res.status_code == status, (path, res.text)
    data: dict[str, Any] = res.json()["data"]
    return data


TAX = {"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}
ISR = {"type": "ISR", "rate": 0.1, "factor": "Tasa", "withholding": True}


class TestEveryDomainAnswersNumbers:
    def test_no_rate_or_amount_is_a_string(self, ready: Ready) -> None:
        team = ready.account.team_id
        res = ready.client.put(f"/v2/teams/{team}/settings", headers=ready.headers,
                               json={"taxes": [TAX], "withholding_taxes": [ISR], "product_key": "80141503",
                                     "unit_key": "E48"})
        assert res.status_code == 200, res.text
        service = _post(ready, "/services", {"description": "Consultoría", "unit_price": 1234.5,
                                             "product_key": "80141503", "unit_key": "E48", "taxes": [TAX]})
        item = {"description": "Consultoría", "quantity": 1.5, "unit_price": 999.99, "discount": 10,
                "product_key": "80141503", "unit_key": "E48", "taxes": [TAX]}
        income = ready.create(items=[item, {"id": service["id"]}]).json()["data"]
        ppd = ready.create(items=[item], payment_method="PPD", payment_form="99").json()["data"]
        egress = _post(ready, "/invoices/egress", ready.body(
            items=[{**item, "quantity": 1, "discount": 0}], related_documents=[
                {"relationship": "01", "documents": [income["uuid"]]}]))
        complement = _post(ready, "/invoices/payment", {
            "invoices": [{"uuid": ppd["uuid"], "amount": 500.5}], "payment_form": "03", "currency": "MXN"})
        usd = _post(ready, "/payments/register", {"client": {"id": ready.client_id}, "items": [item],
                                                  "currency": "USD", "exchange_rate": 17.25, "payment_form": "03",
                                                  "automation_type": "none"})
        requested = _post(ready, "/payments/request", {"client": {"id": ready.client_id}, "items": [item],
                                                       "automation_type": "none"})
        draft = _post(ready, "/invoices/draft", {"invoice_type": "I", "items": [item], "exchange_rate": 1})
        answers = {
            "team": _get(ready, f"/teams/{team}"), "teams": _get(ready, "/teams"),
            "settings": _get(ready, f"/teams/{team}/settings"),
            "client": _get(ready, f"/clients/{ready.client_id}"), "clients": _get(ready, "/clients"),
            "service": _get(ready, f"/services/{service['id']}"), "services": _get(ready, "/services"),
            "invoice": _get(ready, f"/invoices/income/{income['uuid']}"), "invoices": _get(ready, "/invoices/income"),
            "egress": _get(ready, f"/invoices/egress/{egress['uuid']}"), "egresses": _get(ready, "/invoices/egress"),
            "complement": _get(ready, f"/invoices/payment/{complement['uuid']}"),
            "complements": _get(ready, "/invoices/payment"),
            "payment": _get(ready, f"/payments/{usd['id']}"), "requested": _get(ready, f"/payments/{requested['id']}"),
            "payments": _get(ready, "/payments"),
            "draft": _get(ready, f"/invoices/draft/{draft['id']}"), "drafts": _get(ready, "/invoices/draft"),
        }
        found = [f"{name}{where}" for name, body in answers.items() for where in _strings_that_are_numbers(body)]
        assert found == [], "\n".join(found)
        # and the numbers are the exact amounts
        assert answers["settings"]["data"]["withholding_taxes"][0]["rate"] == 0.1
        assert answers["service"]["data"]["unit_price"] == 1234.5
        assert answers["payment"]["data"]["exchange_rate"] == 17.25
        assert answers["complement"]["data"]["payment"]["amount"] == 500.5
        assert answers["draft"]["data"]["items"][0]["quantity"] == 1.5
        assert answers["invoices"]["pagination"] == {"totalItems": 2}
