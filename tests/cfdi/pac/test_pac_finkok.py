"""The Finkok adapter against recorded SOAP answers."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
import requests

from tests.cfdi.pac.recorded import Exchange, fixture, replay
from timbre.cfdi import xmlsafe
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac import Environment, PacNotFound, PacRejected, PacUnavailable
from timbre.cfdi.pac.finkok import FinkokPAC
from timbre.cfdi.pac.sandbox import verify_acuse

UNSTAMPED = b'<?xml version="1.0" encoding="UTF-8"?>\n<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"/>'


@pytest.fixture
def pac() -> FinkokPAC:
    return FinkokPAC("user@example.com", "secret", Environment.TEST, timeout=12.5)


class TestStamp:
    def test_returns_the_stamped_document(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("finkok/stamp_ok.xml")))
        result = pac.stamp(UNSTAMPED)

        assert result.uuid == "838BE22B-35B9-47FD-948F-47F53F25364D"
        assert result.xml == fixture("stamped_cfdi.xml")
        assert result.rfc_prov_certif == "SPR190613I52"
        assert result.fecha_timbrado.isoformat() == "2026-06-15T12:00:00"
        (sent,) = exchange.sent
        assert sent.url == "https://demo-facturacion.finkok.com/servicios/soap/stamp.wsdl"
        assert base64.b64encode(UNSTAMPED) in (sent.body or b"")  # our exact signed bytes
        assert exchange.options[0]["timeout"] == 12.5

    def test_incidencia_becomes_a_rejection(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay(monkeypatch, Exchange(body=fixture("finkok/stamp_rejected.xml")))
        with pytest.raises(PacRejected) as caught:
            pac.stamp(UNSTAMPED)
        assert caught.value.code == "CFDI40102"
        assert caught.value.reason.startswith("El resultado de la digestión")

    def test_transport_failure_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay(monkeypatch, Exchange(error=requests.ConnectTimeout("timed out")))
        with pytest.raises(PacUnavailable):
            pac.stamp(UNSTAMPED)

    def test_gateway_error_page_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        page = b"<html><body>Bad Gateway</body></html>"
        replay(monkeypatch, Exchange(status=502, body=page, content_type="text/html"))
        with pytest.raises(PacUnavailable, match="502"):
            pac.stamp(UNSTAMPED)

    def test_unexpected_answer_is_retryable(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay(monkeypatch, Exchange(body=b"not xml at all"))
        with pytest.raises(PacUnavailable):
            pac.stamp(UNSTAMPED)


class TestCancel:
    def test_signed_request_and_acuse(
        self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC, credential: Credential
    ) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("finkok/cancel_ok.xml")))
        result = pac.cancel("838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "02", credential=credential)

        assert (result.uuid, result.status) == ("838BE22B-35B9-47FD-948F-47F53F25364D", "201")
        assert result.acuse_xml is not None and verify_acuse(result.acuse_xml)
        (sent,) = exchange.sent
        assert sent.url == "https://demo-facturacion.finkok.com/servicios/soap/cancel.wsdl"
        envelope = xmlsafe.parse(sent.body if isinstance(sent.body, bytes) else b"")
        request = base64.b64decode(envelope.findtext(".//{http://facturacion.finkok.com/cancel}xml"))
        assert b'Motivo="02"' in request and b"838BE22B-35B9-47FD-948F-47F53F25364D" in request
        assert b"SignatureValue" in request  # signed with the issuer's CSD

    def test_unknown_uuid(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC, credential: Credential) -> None:
        replay(monkeypatch, Exchange(body=fixture("finkok/cancel_not_found.xml")))
        with pytest.raises(PacNotFound):
            pac.cancel("838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "02", credential=credential)

    def test_needs_the_issuers_csd(
        self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC, make_credential: Callable[[str, str], Credential]
    ) -> None:
        exchange = replay(monkeypatch, Exchange(body=fixture("finkok/cancel_ok.xml")))
        with pytest.raises(ValueError, match="credential"):
            pac.cancel("838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "02")
        other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        with pytest.raises(PacRejected):
            pac.cancel("838be22b-35b9-47fd-948f-47f53f25364d", "EKU9003173C9", "02", credential=other)
        assert exchange.sent == []
