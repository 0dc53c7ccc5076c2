"""Finkok's manifest service (live mode) against recorded SOAP answers: its texts fetched, each signed by the
caller, sent back; its refusals and its silence."""

from __future__ import annotations

import base64

import pytest
import requests
from lxml import etree  # type: ignore[import-untyped]

from tests.cfdi.pac.recorded import Exchange, fixture, replay_in_order
from timbre.cfdi.pac import Environment, PacRejected, PacUnavailable
from timbre.cfdi.pac.base import ManifestParty
from timbre.cfdi.pac.finkok import FinkokPAC

PARTY = ManifestParty(rfc="EKU9003173C9", name="ESCUELA KEMPER URGATE", address="Calle 1, CP 42501",
                      email="legal@example.com")
NS = "{http://facturacion.finkok.com/manifiesto}"


def conversation(*answers: str) -> list[Exchange]:
    return [Exchange(body=fixture(f"finkok/{name}.xml")) for name in ("manifest_wsdl", *answers)]


def signer(text: str) -> bytes:
    return f"<documento><contrato>{text}</contrato><Signature/></documento>".encode()


def _texts(answer: str) -> dict[str, str]:
    result = etree.fromstring(fixture(f"finkok/{answer}.xml")).find(f".//{NS}get_contracts_snidResult")
    return {n: base64.b64decode(result.findtext(f"{NS}{n}")).decode() for n in ("contract", "privacy")}


@pytest.fixture
def pac() -> FinkokPAC:
    return FinkokPAC("user@example.com", "secret", Environment.TEST, timeout=9.0, snid="SN99999999")


class TestSignManifest:
    def test_fetches_the_texts_signs_each_and_sends_them(self, monkeypatch: pytest.MonkeyPatch,
                                                         pac: FinkokPAC) -> None:
        sent = replay_in_order(monkeypatch, conversation("manifest_get_contracts_ok", "manifest_sign_contract_ok"))
        result = pac.sign_manifest(PARTY, signer)
        assert result.message == "Documentos firmados correctamente"
        texts = _texts("manifest_get_contracts_ok")
        assert result.documents == {"privacy": signer(texts["privacy"]), "contract": signer(texts["contract"])}
        wsdl, get, send = sent
        assert (wsdl.method, wsdl.url) == ("GET", "https://manifiesto.cfdiquadrum.com.mx:8008/servicios/soap/firmar.wsdl")
        call = etree.fromstring(get.body).find(f".//{NS}get_contracts_snid")
        assert {etree.QName(e).localname: e.text for e in call} == {
            "snid": "SN99999999", "taxpayer_id": "EKU9003173C9", "name": "ESCUELA KEMPER URGATE",
            "address": "Calle 1, CP 42501", "email": "legal@example.com"}
        call = etree.fromstring(send.body).find(f".//{NS}sign_contract")
        assert call.findtext(f"{NS}snid") == "SN99999999"
        assert call.findtext(f"{NS}contract_xml").encode() == signer(texts["contract"])
        assert call.findtext(f"{NS}privacy_xml").encode() == signer(texts["privacy"])

    def test_production_uses_finkoks_production_host(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sent = replay_in_order(monkeypatch, conversation("manifest_get_contracts_ok", "manifest_sign_contract_ok"))
        FinkokPAC("u", "p", Environment.PRODUCTION, snid="SN1").sign_manifest(PARTY, signer)
        assert {r.url for r in sent} == {"https://manifiesto.cfdiquadrum.com.mx/servicios/soap/firmar.wsdl"}

    def test_no_contracts_is_a_rejection_with_finkoks_error(self, monkeypatch: pytest.MonkeyPatch,
                                                            pac: FinkokPAC) -> None:
        sent = replay_in_order(monkeypatch, conversation("manifest_get_contracts_error"))
        with pytest.raises(PacRejected, match="El SNID no corresponde a un socio de negocios"):
            pac.sign_manifest(PARTY, signer)
        assert len(sent) == 2  # nothing signed, nothing sent

    def test_a_refused_signature_is_a_rejection(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay_in_order(monkeypatch, conversation("manifest_get_contracts_ok", "manifest_sign_contract_error"))
        with pytest.raises(PacRejected, match="La firma del contrato no es valida"):
            pac.sign_manifest(PARTY, signer)

    def test_silence_and_garbage_are_unavailable(self, monkeypatch: pytest.MonkeyPatch, pac: FinkokPAC) -> None:
        replay_in_order(monkeypatch, [Exchange(error=requests.ConnectTimeout("no route"))])
        with pytest.raises(PacUnavailable, match="could not be reached"):
            pac.sign_manifest(PARTY, signer)
        replay_in_order(monkeypatch, conversation() + [Exchange(status=502, body=b"Bad Gateway")])
        with pytest.raises(PacUnavailable, match="502"):
            pac.sign_manifest(PARTY, signer)

    def test_without_a_snid_nothing_is_sent(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sent = replay_in_order(monkeypatch, [])
        with pytest.raises(PacRejected, match="TIMBRE_PAC_SNID"):
            FinkokPAC("u", "p", Environment.TEST).sign_manifest(PARTY, signer)
        assert sent == []
