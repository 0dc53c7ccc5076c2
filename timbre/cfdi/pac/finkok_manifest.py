"""Finkok's manifest service: the contract and privacy notice Finkok asks its clients to accept, signed with
their FIEL (`firmar.wsdl` on manifiesto.cfdiquadrum.com.mx, Finkok's group; documented by Finkok's wiki as
`get_contracts_snid` and `firmar`, and implemented by phpcfdi/finkok).

1. `get_contracts_snid(snid, taxpayer_id, name, address, email)` answers `success`, `contract` and `privacy`
   (base64 text) and `error`; `snid` identifies the Finkok reseller account the taxpayer signs under.
2. Each text is signed by the caller's `signer` (`sat.manifest.signed_contract`: the text in
   `<documento><contrato rfc=… fecha=…>`, an enveloped XML-DSig made with the FIEL).
3. `sign_contract(snid, privacy_xml, contract_xml)` answers `success` and `message`.

The service's target namespace is read from its WSDL before the first call (Finkok names each service's
namespace after it), so the envelope is the one its WSDL describes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from .. import xmlsafe
from .base import Environment, ManifestParty, ManifestResult, PacRejected, PacUnavailable

HOSTS = {Environment.TEST: "https://manifiesto.cfdiquadrum.com.mx:8008",
         Environment.PRODUCTION: "https://manifiesto.cfdiquadrum.com.mx"}
PATH = "/servicios/soap/firmar.wsdl"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL = "http://schemas.xmlsoap.org/wsdl/"


@dataclass
class FinkokManifest:
    snid: str
    environment: Environment = Environment.TEST
    timeout: float = 30.0
    _namespace: str | None = None

    @property
    def url(self) -> str:
        return HOSTS[self.environment] + PATH

    def sign(self, party: ManifestParty, signer: Callable[[str], bytes]) -> ManifestResult:
        """Fetch Finkok's texts for the taxpayer, sign each with `signer` (text → signed document) and send
        them back.

        PacRejected when Finkok refuses (its `error` / `message`), PacUnavailable when it cannot be reached
        or answers something else than its service's envelope."""
        got = self._call("get_contracts_snid", {"snid": self.snid, "taxpayer_id": party.rfc, "name": party.name,
                                                "address": party.address, "email": party.email})
        if _text(got, "success") != "true":
            raise PacRejected("", _text(got, "error") or "Finkok did not give its contract texts")
        texts = {name: _base64_text(got, name) for name in ("privacy", "contract")}
        documents = {name: signer(text) for name, text in texts.items()}
        sent = self._call("sign_contract", {"snid": self.snid, "privacy_xml": documents["privacy"].decode(),
                                            "contract_xml": documents["contract"].decode()})
        message = _text(sent, "message") or ""
        if _text(sent, "success") != "true":
            raise PacRejected("", message or "Finkok refused the signed contract")
        return ManifestResult(message=message, documents=documents)

    def namespace(self) -> str:
        if self._namespace is None:
            wsdl = self._post_or_get("GET", None)
            found = wsdl.get("targetNamespace") if etree.QName(wsdl).namespace == WSDL else None
            if not found:
                raise PacUnavailable("Finkok's manifest service WSDL has no targetNamespace")
            self._namespace = str(found)
        return self._namespace

    def _call(self, operation: str, params: dict[str, str]) -> Any:
        namespace = self.namespace()
        envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soapenv": SOAP, "tns": namespace})
        call = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP}}}Body"), f"{{{namespace}}}{operation}")
        for name, value in params.items():
            etree.SubElement(call, f"{{{namespace}}}{name}").text = value
        answer = self._post_or_get("POST", bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")))
        result = answer.find(f".//{{*}}{operation}Result")
        if result is None:
            fault = answer.find(f".//{{{SOAP}}}Fault")
            reason = fault.findtext("faultstring") if fault is not None else None
            raise PacUnavailable(f"Finkok's manifest service answered without {operation}Result"
                                 + (f": {reason}" if reason else ""))
        return result

    def _post_or_get(self, method: str, body: bytes | None) -> Any:
        try:
            response = requests.request(method, self.url, data=body, timeout=self.timeout,
                                        headers={"Content-Type": "text/xml; charset=utf-8"} if body else None)
        except requests.RequestException as exc:
            raise PacUnavailable(f"Finkok's manifest service could not be reached: {type(exc).__name__}") from None
        if response.status_code >= 500 and b"Fault" not in response.content:
            raise PacUnavailable(f"Finkok's manifest service answered HTTP {response.status_code}")
        try:
            return xmlsafe.parse(response.content)
        except xmlsafe.XmlError as exc:
            raise PacUnavailable(f"Finkok's manifest service answered unreadable XML: {exc}") from None


def _text(result: Any, name: str) -> str | None:
    found = result.find(f"{{*}}{name}")
    return None if found is None or found.text is None else str(found.text).strip()


def _base64_text(result: Any, name: str) -> str:
    try:
        return base64.b64decode(_text(result, name) or "", validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise PacUnavailable(f"Finkok's manifest service gave a {name} that is not base64 text") from None
