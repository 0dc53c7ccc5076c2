"""SAT's ConsultaCFDI status, shared by the real PACs, against recorded answers."""

from __future__ import annotations

import pytest
import requests

from tests.cfdi.pac.recorded import Exchange, fixture, replay
from timbre.cfdi.pac import Environment, PacRejected, PacUnavailable
from timbre.cfdi.pac.swsapien import SWSapienPAC

UUID = "838be22b-35b9-47fd-948f-47f53f25364d"


@pytest.fixture
def pac() -> SWSapienPAC:
    return SWSapienPAC(token="T0KEN", environment=Environment.PRODUCTION)


def test_vigente(monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
    exchange = replay(monkeypatch, Exchange(body=fixture("sat_consulta_vigente.xml")))
    result = pac.status(UUID, "EKU9003173C9", "XIQB891116QE4", "17400.00")

    assert (result.uuid, result.estado, result.es_cancelable) == (UUID.upper(), "Vigente", "Cancelable sin aceptación")
    assert result.estatus_cancelacion is None
    (sent,) = exchange.sent
    assert sent.url == "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
    body = sent.body if isinstance(sent.body, bytes) else b""
    assert b"?re=EKU9003173C9&rr=XIQB891116QE4&tt=17400.00&id=838be22b" in body
    assert exchange.options[0]["timeout"] == 30.0


def test_invalid_expression(monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
    replay(monkeypatch, Exchange(body=fixture("sat_consulta_invalid.xml")))
    with pytest.raises(PacRejected) as caught:
        pac.status(UUID, "EKU9003173C9", "XIQB891116QE4", "17400.00")
    assert caught.value.code == "601"


def test_sat_down_is_retryable(monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
    replay(monkeypatch, Exchange(error=requests.ConnectionError("connection refused")))
    with pytest.raises(PacUnavailable):
        pac.status(UUID, "EKU9003173C9", "XIQB891116QE4", "17400.00")
    replay(monkeypatch, Exchange(status=500, body=b"<html/>"))
    with pytest.raises(PacUnavailable, match="500"):
        pac.status(UUID, "EKU9003173C9", "XIQB891116QE4", "17400.00")
