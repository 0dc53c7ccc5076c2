"""SAT's public Consulta de estado del CFDI (ConsultaCFDIService.Consulta), the one way Timbre asks SAT for a
CFDI's status in live mode. A plain SOAP 1.1 call, no authentication; the answer is parsed strictly.

"N - 601"/"N - 602" answers (bad expression / not found) are data (`CfdiStatus.code`), like every other answer;
a transport failure, an HTTP error or an unreadable answer raises `SatUnavailable`.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import httpx

from timbre.cfdi import xmlsafe
from timbre.satws.base import CfdiStatus, SatUnavailable, StatusQuery

URL = "https://consultaqr.facturaelectronica.sat.gob.mx/ConsultaCFDIService.svc"
ACTION = "http://tempuri.org/IConsultaCFDIService/Consulta"
_NS = {"s": "http://schemas.xmlsoap.org/soap/envelope/", "t": "http://tempuri.org/",
       "a": "http://schemas.datacontract.org/2004/07/Sat.Cfdi.Negocio.ConsultaCfdi.Servicio"}


def expression(query: StatusQuery) -> str:
    """SAT's printed expression: `?re=…&rr=…&tt=…&id=…&fe=…` (fe: the last 8 characters of the Sello)."""
    text = f"?re={query.issuer_rfc}&rr={query.receiver_rfc}&tt={query.total}&id={query.uuid}"
    return text + (f"&fe={query.seal_tail}" if query.seal_tail else "")


def envelope(query: StatusQuery) -> bytes:
    return ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://tempuri.org/">'
            f"<s:Body><t:Consulta><t:expresionImpresa>{escape(expression(query))}</t:expresionImpresa>"
            "</t:Consulta></s:Body></s:Envelope>").encode()


def _text(result: Any, name: str) -> str:
    return str(result.findtext(f"a:{name}", default="", namespaces=_NS) or "")


class LiveStatus:
    def __init__(self, *, url: str = URL, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.transport = transport

    def status(self, query: StatusQuery) -> CfdiStatus:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ACTION}"'}
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                response = http.post(self.url, content=envelope(query), headers=headers)
        except httpx.HTTPError as exc:
            raise SatUnavailable(f"SAT's ConsultaCFDIService is unreachable: {exc}") from None
        if response.status_code != 200:
            raise SatUnavailable(f"SAT's ConsultaCFDIService answered HTTP {response.status_code}")
        try:
            root = xmlsafe.parse(response.content)
        except xmlsafe.XmlError as exc:
            raise SatUnavailable(f"SAT's ConsultaCFDIService answered unreadable XML: {exc}") from None
        result = root.find("s:Body/t:ConsultaResponse/t:ConsultaResult", _NS)
        if result is None:
            raise SatUnavailable("SAT's ConsultaCFDIService answered without a ConsultaResult")
        return CfdiStatus(code=_text(result, "CodigoEstatus"), state=_text(result, "Estado"),
                          cancellable=_text(result, "EsCancelable"),
                          cancellation_status=_text(result, "EstatusCancelacion"),
                          efos_validation=_text(result, "ValidacionEFOS"))
