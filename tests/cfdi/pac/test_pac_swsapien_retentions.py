"""SW Sapien's retentions service (live mode) against recorded JSON answers."""

from __future__ import annotations

import pytest
import requests

from tests.cfdi.pac.recorded import Exchange, fixture, replay
from timbre.cfdi.pac import Environment, PacRejected, PacUnavailable
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.cfdi.pac.swsapien import SWSapienPAC
from timbre.cfdi.retenciones import seal, xsd

SEALED = b'<?xml version="1.0" encoding="UTF-8"?>\n<retenciones:Retenciones xmlns:retenciones="x"/>'
JSON = "application/json; charset=utf-8"
UUID = "EEB486F3-BC16-46C2-ACDA-32F98B023F98"


@pytest.fixture
def pac() -> SWSapienPAC:
    return SWSapienPAC(token="T0KEN", environment=Environment.TEST, timeout=9.0)


class TestStampRetention:
    def test_returns_the_stamped_retention(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("swsapien/retention_stamp_ok.json"), content_type=JSON))
        result = pac.stamp_retention(SEALED)
        assert result.uuid == UUID
        assert result.xml == fixture("stamped_retention.xml")
        assert xsd.validate(result.xml) == [] and seal.verify_timbre(result.xml, sandbox_credential())
        (sent,) = exchange.sent
        assert sent.url == "https://services.test.sw.com.mx/retencion/stamp/v3"
        assert sent.headers["Authorization"] == "Bearer T0KEN"
        assert SEALED in (sent.body if isinstance(sent.body, bytes) else b"")  # our exact sealed bytes
        assert b'name="xml"' in (sent.body if isinstance(sent.body, bytes) else b"")
        assert exchange.options[0]["timeout"] == 9.0

    def test_an_error_becomes_a_rejection(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=400, body=fixture("swsapien/retention_stamp_rejected.json"),
                                     content_type=JSON))
        with pytest.raises(PacRejected) as caught:
            pac.stamp_retention(SEALED)
        assert caught.value.code == "302"
        assert caught.value.details == ["El sello del documento no corresponde a su cadena original."]

    def test_already_stamped_returns_the_earlier_stamp(self, monkeypatch: pytest.MonkeyPatch,
                                                       pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=400, body=fixture("swsapien/retention_stamp_previous.json"),
                                     content_type=JSON))
        result = pac.stamp_retention(SEALED)
        assert result.uuid == UUID and result.xml == fixture("stamped_retention.xml")

    def test_already_stamped_without_the_document_is_a_rejection(self, monkeypatch: pytest.MonkeyPatch,
                                                                 pac: SWSapienPAC) -> None:
        body = fixture("swsapien/retention_stamp_rejected.json").replace(b'"302 - ', b'"307 - ')
        replay(monkeypatch, Exchange(status=400, body=body, content_type=JSON))
        with pytest.raises(PacRejected) as caught:
            pac.stamp_retention(SEALED)
        assert caught.value.code == "307"

    def test_server_error_and_timeout_are_retryable(self, monkeypatch: pytest.MonkeyPatch,
                                                    pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=503, body=b"Service Unavailable", content_type="text/plain"))
        with pytest.raises(PacUnavailable, match="503"):
            pac.stamp_retention(SEALED)
        replay(monkeypatch, Exchange(error=requests.ReadTimeout("read timed out")))
        with pytest.raises(PacUnavailable):
            pac.stamp_retention(SEALED)

    def test_success_without_the_document_is_retryable(self, monkeypatch: pytest.MonkeyPatch,
                                                       pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(body=b'{"status": "success", "data": {}}', content_type=JSON))
        with pytest.raises(PacUnavailable):
            pac.stamp_retention(SEALED)
