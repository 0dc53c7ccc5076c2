"""Fixtures of the invoice API tests: a team ready to invoice (fiscal data, a test CSD uploaded through
the API) and a valid client, all through the real endpoints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Account, create_account
from timbre.cfdi import testca

EMISOR_RFC = "EKU9003173C9"
EMISOR_NAME = "ESCUELA KEMPER URGATE"
CLIENT = {"legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4", "tax_system": "612", "use": "G03",
          "email": "berenice@example.com", "address": {"zip": "36257", "country": "MEX"}}


@dataclass
class Ready:
    """A team that can stamp in test mode, one of its clients, and helpers to call the API."""

    account: Account
    client: TestClient
    client_id: str
    live: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers(live=self.live)

    def item(self, **overrides: Any) -> dict[str, Any]:
        item: dict[str, Any] = {"description": "Consulting services", "quantity": 2, "unit_price": 1000.0,
                                "product_key": "80141503", "unit_key": "E48",
                                "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}
        item.update(overrides)
        return item

    def body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"client": {"id": self.client_id}, "items": [self.item()], "payment_form": "03",
                                "payment_method": "PUE", "use": "G03", "currency": "MXN"}
        body.update(overrides)
        return body

    def create(self, kind: str = "income", **overrides: Any) -> Any:
        return self.client.post(f"/v2/invoices/{kind}", headers=self.headers, json=self.body(**overrides))

    def used_credits(self) -> Any:
        team = self.client.get(f"/v2/teams/{self.account.team_id}", headers=self.headers)
        return team.json()["data"]["used_credits"]


@pytest.fixture(scope="session")
def test_csd() -> testca.TestCertificate:
    """One fresh test CSD for the session (RSA key generation is the slow part)."""
    return testca.make_test_csd(EMISOR_RFC, EMISOR_NAME)


def make_ready(client: TestClient, csd: testca.TestCertificate, *, live: bool = False) -> Ready:
    account = create_account(EMISOR_NAME)
    headers = account.headers()
    res = client.put(f"/v2/teams/{account.team_id}", headers=headers,
                     json={"legal_name": EMISOR_NAME, "tax_id": EMISOR_RFC, "tax_system": "601",
                           "address": {"zip": "42501", "country": "MEX"}})
    assert res.status_code == 200, res.text
    res = client.post(f"/v2/teams/{account.team_id}/sat-connection", headers=headers,
                      files={"cert": ("csd.cer", csd.cer), "key": ("csd.key", csd.key)},
                      data={"keyPass": csd.password})
    assert res.status_code == 200, res.text
    res = client.post("/v2/clients", headers=account.headers(live=live), json=CLIENT)
    assert res.status_code == 201, res.text
    return Ready(account, client, res.json()["data"]["id"], live)


@pytest.fixture
def ready(client: TestClient, test_csd: testca.TestCertificate) -> Ready:
    return make_ready(client, test_csd)


@pytest.fixture
def ready_factory(client: TestClient, test_csd: testca.TestCertificate) -> Callable[[], Ready]:
    return lambda: make_ready(client, test_csd)
