"""The SW Sapien adapter against recorded JSON answers."""

from __future__ import annotations

import json

import pytest
import requests

from tests.cfdi.pac.recorded import Exchange, fixture, replay
from timbre.cfdi.pac import Environment, PacRejected, PacUnavailable
from timbre.cfdi.pac.sandbox import verify_acuse
from timbre.cfdi.pac.swsapien import SWSapienPAC

UNSTAMPED = b'<?xml version="1.0" encoding="UTF-8"?>\n<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"/>'
JSON = "application/json; charset=utf-8"


@pytest.fixture
def pac() -> SWSapienPAC:
    return SWSapienPAC(token="T0KEN", environment=Environment.TEST, timeout=9.0)


class TestStamp:
    def test_returns_the_stamped_document(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("swsapien/stamp_ok.json"), content_type=JSON))
        result = pac.stamp(UNSTAMPED)

        assert result.uuid == "838BE22B-35B9-47FD-948F-47F53F25364D"
        assert result.xml == fixture("stamped_cfdi.xml")
        (sent,) = exchange.sent
        assert sent.url == "https://services.test.sw.com.mx/v4/cfdi33/stamp/v4"
        assert sent.headers["Authorization"] == "Bearer T0KEN"
        assert UNSTAMPED in (sent.body if isinstance(sent.body, bytes) else b"")  # our exact signed bytes
        assert exchange.options[0]["timeout"] == 9.0

    def test_sat_error_becomes_a_rejection(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=400, body=fixture("swsapien/stamp_rejected.json"), content_type=JSON))
        with pytest.raises(PacRejected) as caught:
            pac.stamp(UNSTAMPED)
        assert caught.value.code == "CFDI40102"
        assert caught.value.details == ["Sello inválido para la cadena original."]

    def test_bad_token(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=401, body=fixture("swsapien/unauthorized.json"), content_type=JSON))
        with pytest.raises(PacRejected) as caught:
            pac.stamp(UNSTAMPED)
        assert caught.value.code == "AU2000"

    def test_server_error_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(status=503, body=b"Service Unavailable", content_type="text/plain"))
        with pytest.raises(PacUnavailable, match="503"):
            pac.stamp(UNSTAMPED)

    def test_timeout_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        replay(monkeypatch, Exchange(error=requests.ReadTimeout("read timed out")))
        with pytest.raises(PacUnavailable):
            pac.stamp(UNSTAMPED)

    def test_success_without_a_document_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        body = json.dumps({"status": "success", "data": {}}).encode()
        replay(monkeypatch, Exchange(body=body, content_type=JSON))
        with pytest.raises(PacUnavailable):
            pac.stamp(UNSTAMPED)


class TestCancel:
    def test_cancel_by_uuid(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("swsapien/cancel_ok.json"), content_type=JSON))
        result = pac.cancel(
            "838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "01", "12345678-1234-1234-1234-123456789012"
        )

        assert (result.uuid, result.status) == ("838BE22B-35B9-47FD-948F-47F53F25364D", "201")
        assert result.acuse_xml is not None and verify_acuse(result.acuse_xml)
        (sent,) = exchange.sent
        assert sent.url == (
            "https://services.test.sw.com.mx/cfdi33/cancel/EKU9003173C9/838BE22B-35B9-47FD-948F-47F53F25364D"
            "/01/12345678-1234-1234-1234-123456789012"
        )

    def test_motive_rules_are_checked_before_calling(self, monkeypatch: pytest.MonkeyPatch, pac: SWSapienPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("swsapien/cancel_ok.json"), content_type=JSON))
        with pytest.raises(PacRejected, match="only motive 01"):
            pac.cancel(
                "838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "02", "12345678-1234-1234-1234-123456789012"
            )
        assert exchange.sent == []
