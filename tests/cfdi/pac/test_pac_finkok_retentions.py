"""Finkok's retentions service (live mode) against recorded SOAP answers."""

from __future__ import annotations

import base64

import pytest

from tests.cfdi.pac.recorded import Exchange, fixture, replay
from timbre.cfdi.pac import Environment, PacRejected
from timbre.cfdi.pac.finkok import FinkokPAC
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.cfdi.retenciones import seal, xsd

SEALED = b'<?xml version="1.0" encoding="UTF-8"?>\n<retenciones:Retenciones xmlns:retenciones="x"/>'


@pytest.fixture
def pac() -> FinkokPAC:
    return FinkokPAC("user@example.com", "secret", Environment.TEST, timeout=9.0)


class TestStampRetention:
    def test_returns_the_stamped_retention(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("finkok/retention_stamp_ok.xml")))
        result = pac.stamp_retention(SEALED)
        assert result.uuid == "EEB486F3-BC16-46C2-ACDA-32F98B023F98"
        assert result.xml == fixture("stamped_retention.xml")
        assert xsd.validate(result.xml) == [] and seal.verify_timbre(result.xml, sandbox_credential())
        (sent,) = exchange.sent
        assert sent.url == "https://demo-facturacion.finkok.com/servicios/soap/retentions.wsdl"
        assert b"http://facturacion.finkok.com/retentions" in (sent.body or b"")
        assert base64.b64encode(SEALED) in (sent.body or b"")
        assert exchange.options[0]["timeout"] == 9.0

    def test_incidencia_becomes_a_rejection(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay(monkeypatch, Exchange(body=fixture("finkok/retention_stamp_rejected.xml")))
        with pytest.raises(PacRejected) as caught:
            pac.stamp_retention(SEALED)
        assert caught.value.code == "302"
