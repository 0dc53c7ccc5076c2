"""Fixtures of the SAT mirror tests: two teams of one server that invoice each other in test mode (issuer
EKU9003173C9 and XIQB891116QE4, each the other's client), their FIELs uploaded through the API, and a driver
that advances a download run against the simulated SAT as the job does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.invoices.conftest import CLIENT, EMISOR_NAME, EMISOR_RFC, Ready
from timbre.cfdi import testca
from timbre.config import get_settings
from timbre.satmirror import job
from timbre.satws.services import download_service

OTHER_RFC, OTHER_NAME = "XIQB891116QE4", "BERENICE XIMO QUEZADA"
EMISOR_AS_CLIENT = {"legal_name": EMISOR_NAME, "tax_id": EMISOR_RFC, "tax_system": "601", "use": "G03",
                    "email": "kemper@example.com", "address": {"zip": "42501", "country": "MEX"}}


@dataclass(frozen=True)
class Taxpayer:
    rfc: str
    name: str
    tax_system: str
    zip: str
    client: dict[str, Any]
    csd: testca.TestCertificate
    fiel: testca.TestCertificate


@pytest.fixture(scope="session")
def taxpayers() -> tuple[Taxpayer, Taxpayer]:
    return (Taxpayer(EMISOR_RFC, EMISOR_NAME, "601", "42501", CLIENT, testca.make_test_csd(EMISOR_RFC, EMISOR_NAME),
                     testca.make_test_fiel(EMISOR_RFC, EMISOR_NAME)),
            Taxpayer(OTHER_RFC, OTHER_NAME, "612", "36257", EMISOR_AS_CLIENT,
                     testca.make_test_csd(OTHER_RFC, OTHER_NAME), testca.make_test_fiel(OTHER_RFC, OTHER_NAME)))


def upload_fiel(client: TestClient, headers: dict[str, str], made: testca.TestCertificate) -> Any:
    return client.post("/v2/invoices/download/fiel", headers=headers,
                       files={"cert": ("fiel.cer", made.cer), "key": ("fiel.key", made.key)},
                       data={"password": made.password})


def make_team(client: TestClient, who: Taxpayer, *, fiel: bool = True) -> Ready:
    account = create_account(who.name)
    headers = account.headers()
    res = client.put(f"/v2/teams/{account.team_id}", headers=headers,
                     json={"legal_name": who.name, "tax_id": who.rfc, "tax_system": who.tax_system,
                           "address": {"zip": who.zip, "country": "MEX"}})
    assert res.status_code == 200, res.text
    res = client.post(f"/v2/teams/{account.team_id}/sat-connection", headers=headers,
                      files={"cert": ("csd.cer", who.csd.cer), "key": ("csd.key", who.csd.key)},
                      data={"keyPass": who.csd.password})
    assert res.status_code == 200, res.text
    res = client.post("/v2/clients", headers=headers, json=who.client)
    assert res.status_code == 201, res.text
    ready = Ready(account, client, res.json()["data"]["id"])
    if fiel:
        assert upload_fiel(client, headers, who.fiel).status_code == 200
        assert client.post("/v2/invoices/download/activate", headers=headers).status_code == 200
    return ready


@pytest.fixture
def pair(client: TestClient, taxpayers: tuple[Taxpayer, Taxpayer]) -> tuple[Ready, Ready]:
    return make_team(client, taxpayers[0]), make_team(client, taxpayers[1])


def stamp(ready: Ready, **body: Any) -> dict[str, Any]:
    res = ready.create("income", **body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def drive(run_id: str, team_id: str, *, passes: int = 20) -> str:
    """Advance a run as its job would, without waiting between passes; its final outcome."""
    ctx = job.Context(db_url=get_settings().db_url, secret=get_settings().secret(),
                      service=download_service(False), lease_ms=60_000, poll_ms=0)
    token = None
    for _ in range(passes):
        outcome, token = job.work(ctx, run_id, team_id, False, token)
        if outcome != "wait":
            return outcome
    raise AssertionError(f"run {run_id} still waiting after {passes} passes")
