"""Finkok's SOAP service, replayed from its recorded answers (tests/fixtures/pac/finkok) by replacing only
requests' HTTP transport: no network. The documents it "stamps" get a real TimbreFiscalDigital from the
sandbox PAC, so what comes back verifies like a real stamp; each stamp is counted, so a test can prove a
document was never stamped twice."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from lxml import etree  # type: ignore[import-untyped]
from requests.adapters import HTTPAdapter

from tests.cfdi.pac.recorded import fixture
from timbre.cfdi import xmlsafe
from timbre.cfdi.pac.sandbox import SandboxPAC

APPS = "apps.services.soap.core.views"


@dataclass
class FakeFinkok:
    """Stamps CFDI (stamp.wsdl) and retentions (retentions.wsdl). `plan` says what each next stamping call
    does: "ok", "timeout" (nothing stamped), "lost" (stamped, but the answer never arrives) or "reject"; once
    the plan is used up every call is "ok"."""

    plan: list[str] = field(default_factory=list)
    operations: list[str] = field(default_factory=list)
    stamped: dict[bytes, bytes] = field(default_factory=dict)  # sealed document -> its one stamp
    sandbox: SandboxPAC = field(default_factory=SandboxPAC)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeFinkok:
        fake = self

        def send(_adapter: HTTPAdapter, request: requests.PreparedRequest, **_options: Any) -> requests.Response:
            return fake.answer(request)

        monkeypatch.setattr(HTTPAdapter, "send", send)
        return self

    @property
    def stamps_issued(self) -> int:
        return len(self.stamped)

    def answer(self, request: requests.PreparedRequest) -> requests.Response:
        envelope = etree.fromstring(request.body)
        operation = etree.QName(envelope.find("{*}Body")[0]).localname
        self.operations.append(operation)
        document = base64.b64decode(envelope.find(".//{*}xml").text)
        if operation == "cancel_signature":
            return _response(fixture("finkok/cancel_ok.xml"))
        if operation == "stamped":
            if document not in self.stamped:
                return _response(_rejection("603", "El CFDI no ha sido timbrado"))
            return _response(_stamp_answer(self.stamped[document]))
        retention = "retentions.wsdl" in (request.url or "")  # Finkok's retentions service: the same `stamp`
        prefix = "finkok/retention_" if retention else "finkok/"
        action = self.plan.pop(0) if self.plan else "ok"
        if action == "timeout":
            raise requests.ReadTimeout("the PAC did not answer in time")
        if action == "reject":
            return _response(fixture(f"{prefix}stamp_rejected.xml"))
        if document in self.stamped:  # a PAC never stamps one document twice (SAT's rule 307)
            return _response(_rejection("307", "El CFDI contiene un timbre previo", prefix))
        stamp = self.sandbox.stamp_retention if retention else self.sandbox.stamp
        self.stamped[document] = stamp(document).xml
        if action == "lost":
            raise requests.ReadTimeout("the answer was lost")
        return _response(_stamp_answer(self.stamped[document], prefix))


def _response(body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = body
    response.headers["Content-Type"] = "text/xml; charset=utf-8"
    return response


def _stamp_answer(stamped: bytes, prefix: str = "finkok/") -> bytes:
    root = etree.fromstring(fixture(f"{prefix}stamp_ok.xml"))
    root.find(f".//{{{APPS}}}xml").text = stamped.decode()
    timbre = xmlsafe.parse(stamped).find(".//{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital")
    root.find(f".//{{{APPS}}}UUID").text = timbre.get("UUID")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _rejection(code: str, message: str, prefix: str = "finkok/") -> bytes:
    root = etree.fromstring(fixture(f"{prefix}stamp_rejected.xml"))
    root.find(f".//{{{APPS}}}CodigoError").text = code
    root.find(f".//{{{APPS}}}MensajeIncidencia").text = message
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
