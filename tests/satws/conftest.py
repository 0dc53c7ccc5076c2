"""Fixtures of the SAT web services tests: a team that stamps test-mode invoices through the real API (issuer
EKU9003173C9, its client XIQB891116QE4) and FIELs of both RFCs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.invoices.conftest import EMISOR_NAME, EMISOR_RFC, Ready, make_ready
from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.satws.base import Direction, DownloadKind, DownloadQuery

RECEPTOR_RFC = "XIQB891116QE4"


def credential(made: testca.TestCertificate) -> Credential:
    return Credential.load(made.cer, made.key, made.password)


@pytest.fixture(scope="session")
def fiel() -> Credential:
    return credential(testca.make_test_fiel(EMISOR_RFC, "ESCUELA KEMPER URGATE"))


@pytest.fixture(scope="session")
def receptor_fiel() -> Credential:
    return credential(testca.make_test_fiel(RECEPTOR_RFC, "BERENICE XIMO QUEZADA"))


@pytest.fixture(scope="session")
def test_csd() -> testca.TestCertificate:
    return testca.make_test_csd(EMISOR_RFC, EMISOR_NAME)


@pytest.fixture
def issuer(client: TestClient, test_csd: testca.TestCertificate) -> Ready:
    return make_ready(client, test_csd)


def stamp(ready: Ready, **body: Any) -> dict[str, Any]:
    res = ready.create("income", **body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def query(rfc: str = EMISOR_RFC, direction: Direction = Direction.ISSUED, kind: DownloadKind = DownloadKind.CFDI,
          days: int = 3) -> DownloadQuery:
    """Whole days around today (Mexico's wall clock), so the same call twice is the same query."""
    today = datetime.now(MEXICO_TZ).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    return DownloadQuery(rfc=rfc, direction=direction, kind=kind, start=today - timedelta(days=days),
                         end=today + timedelta(days=2, seconds=-1))
