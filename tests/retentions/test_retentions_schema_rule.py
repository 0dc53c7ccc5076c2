"""Rule RET20012: a value SAT's schemas refuse (a catalog key of a complement, an RFC or CURP pattern) is a 400
naming the request field, found on the document sealed as it will be — before any folio or credit is taken."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.retentions.test_retentions_api import TODAY, body


def _service(**overrides: Any) -> dict[str, Any]:
    service = {"payment_form": "03", "service_type": "01", "service_date": TODAY.replace(day=1).isoformat(),
               "price_without_tax": "1000.00", "tax_rate": "0.16", "commission": "100.00"}
    return {"platform_services": {"periodicity": "04", "services": [{**service, **overrides}]}}


CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "dividend type": ("14", {"dividends": {"dividend_type": "99", "isr_mexico": "100.00"}}, "dividends.dividend_type"),
    "payment concept": ("18", {"foreign_payments": {"concept": "0", "description": "Regalías", "country": "US"}},
                        "foreign_payments.concept"),
    "country": ("18", {"foreign_payments": {"concept": "1", "description": "Regalías", "country": "ZZ"}},
                "foreign_payments.country"),
    "beneficiary RFC": ("18", {"foreign_payments": {
        "is_effective_beneficiary": True, "concept": "1", "description": "Regalías", "tax_id": "BAD",
        "curp": "BADD110313HCMLNS09", "name": "X"}}, "foreign_payments.tax_id"),
    "periodicity": ("26", {"platform_services": {**_service()["platform_services"], "periodicity": "09"}},
                    "platform_services.periodicity"),
    "service payment form": ("26", _service(payment_form="99"), "platform_services.services[].payment_form"),
    "service type": ("26", _service(service_type="99"), "platform_services.services[].service_type"),
    "service subtype": ("26", _service(service_subtype="99"), "platform_services.services[].service_subtype"),
    "contribution state": ("26", _service(government_contribution="5", contribution_state="XX"),
                           "platform_services.services[].contribution_state"),
    "third party RFC": ("26", _service(third_party_tax_id="BAD"), "platform_services.services[].third_party_tax_id"),
}


class TestSchemaRuleBeforeAFolio:
    @pytest.mark.parametrize("case", sorted(CASES))
    def test_a_value_sats_schema_refuses_is_a_400_that_takes_nothing(self, ready: Ready, client: TestClient,
                                                                      case: str) -> None:
        key, extra, field = CASES[case]
        res = client.post("/v2/retentions", headers=ready.headers, json=body(ready, key, **extra))
        assert res.status_code == 400, res.text
        assert res.json()["message"] == "Invalid retention"
        assert {(d["code"], d["field"]) for d in res.json()["error"]["details"]} == {("RET20012", field)}
        assert client.get("/v2/retentions", headers=ready.headers).json()["total_results"] == 0
        team = client.get(f"/v2/teams/{ready.account.team_id}", headers=ready.headers).json()["data"]
        assert team["used_credits"] == 0
