"""SAT's Descarga Masiva web services (v1.5, 2025), live mode: Autenticación (a WS-Security Timestamp signed with
the FIEL → a token, sent as `Authorization: WRAP access_token="…"`), SolicitaDescargaEmitidos /
SolicitaDescargaRecibidos, VerificaSolicitudDescarga and Descargar, each request signed with the FIEL
(`timbre.satws.signing`).

Outcomes: every answer SAT gives is data (`RequestAnswer` / `VerifyAnswer` / `PackageAnswer` with SAT's CodEstatus:
5000, 5002 quota, 5003 limit, 5004 nothing found, 5005 duplicate, 5008 downloads, 300/301/302/404…); SAT refusing
the FIEL at Autenticación (a SOAP fault, "InvalidSecurity") is answered as code 300; anything else that is not an
answer (network, an HTTP error status without such a fault, a malformed envelope) raises `SatUnavailable`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.cfdi import xmlsafe
from timbre.cfdi.certs import Credential
from timbre.satws.base import (
    Code,
    Direction,
    DownloadKind,
    DownloadQuery,
    PackageAnswer,
    RequestAnswer,
    RequestState,
    SatUnavailable,
    VerifyAnswer,
)
from timbre.satws.packages import mexico_wall_clock
from timbre.satws.signing import TOKEN_LIFETIME, sign_operation, timestamp_security

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
DES = "http://DescargaMasivaTerceros.sat.gob.mx"
AUTH_NS = "http://DescargaMasivaTerceros.gob.mx"
HOST = "https://cfdidescargamasivasolicitud.clouda.sat.gob.mx"
AUTH = (f"{HOST}/Autenticacion/Autenticacion.svc", f"{AUTH_NS}/IAutenticacion/Autentica")
REQUEST = f"{HOST}/SolicitaDescargaService.svc"
REQUEST_ACTION = f"{DES}/ISolicitaDescargaService/SolicitaDescarga"
VERIFY = (f"{HOST}/VerificaSolicitudDescargaService.svc",
          f"{DES}/IVerificaSolicitudDescargaService/VerificaSolicitudDescarga")
DOWNLOAD = ("https://cfdidescargamasiva.clouda.sat.gob.mx/DescargaMasivaService.svc",
            f"{DES}/IDescargaMasivaTercerosService/Descargar")


class _Refused(Exception):
    """SAT refused the FIEL at Autenticación."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _envelope() -> tuple[Any, Any, Any]:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"s": SOAP, "des": DES})
    return root, etree.SubElement(root, f"{{{SOAP}}}Header"), etree.SubElement(root, f"{{{SOAP}}}Body")


def _operation(body: Any, name: str, child: str, **attributes: str) -> tuple[Any, Any]:
    operation = etree.SubElement(body, f"{{{DES}}}{name}")
    target = etree.SubElement(operation, f"{{{DES}}}{child}", {k: v for k, v in sorted(attributes.items()) if v})
    return operation, target


def request_envelope(fiel: Credential, query: DownloadQuery) -> tuple[bytes, str]:
    """SolicitaDescargaEmitidos / SolicitaDescargaRecibidos, signed; (body, SOAPAction)."""
    root, _header, body = _envelope()
    issued = query.direction is Direction.ISSUED
    name = "SolicitaDescargaEmitidos" if issued else "SolicitaDescargaRecibidos"
    # v1.5: received CFDI (XML) can only be asked for while Vigente; metadata covers every state.
    state = "Vigente" if not issued and query.kind is DownloadKind.CFDI else ""
    attributes = {"FechaInicial": mexico_wall_clock(query.start), "FechaFinal": mexico_wall_clock(query.end),
                  "TipoSolicitud": query.kind.value, "EstadoComprobante": state,
                  ("RfcEmisor" if issued else "RfcReceptor"): query.rfc.upper()}
    operation, target = _operation(body, name, "solicitud", **attributes)
    sign_operation(operation, target, fiel)
    return xmlsafe.tostring(root), f"{REQUEST_ACTION}{name[len('SolicitaDescarga'):]}"


def verify_envelope(fiel: Credential, rfc: str, request_id: str) -> bytes:
    root, _header, body = _envelope()
    operation, target = _operation(body, "VerificaSolicitudDescarga", "solicitud", IdSolicitud=request_id,
                                   RfcSolicitante=rfc.upper())
    sign_operation(operation, target, fiel)
    return xmlsafe.tostring(root)


def download_envelope(fiel: Credential, rfc: str, package_id: str) -> bytes:
    root, _header, body = _envelope()
    operation, target = _operation(body, "PeticionDescargaMasivaTercerosEntrada", "peticionDescarga",
                                   IdPaquete=package_id, RfcSolicitante=rfc.upper())
    sign_operation(operation, target, fiel)
    return xmlsafe.tostring(root)


def auth_envelope(fiel: Credential, now: datetime) -> bytes:
    root, header, body = _envelope()
    timestamp_security(header, fiel, now)
    etree.SubElement(body, f"{{{AUTH_NS}}}Autentica", nsmap={None: AUTH_NS})
    return xmlsafe.tostring(root)


def _find(root: Any, path: str) -> Any:
    found = root.find(path, {"s": SOAP, "des": DES, "a": AUTH_NS})
    if found is None:
        raise SatUnavailable(f"SAT answered without {path.rsplit('/', 1)[-1]}")
    return found


class LiveDownload:
    def __init__(self, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = timeout
        self.transport = transport
        self._tokens: dict[str, tuple[str, datetime]] = {}  # this client's own: one job's calls share a token

    def _post(self, url: str, action: str, content: bytes, token: str | None = None) -> Any:
        headers = {"Content-Type": 'text/xml; charset="utf-8"', "Accept": "text/xml", "SOAPAction": action}
        if token is not None:
            headers["Authorization"] = f'WRAP access_token="{token}"'
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                response = http.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise SatUnavailable(f"SAT's Descarga Masiva is unreachable: {exc}") from None
        try:
            root = xmlsafe.parse(response.content)
        except xmlsafe.XmlError:
            root = None
        fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault") if root is not None else None
        if fault is not None and "InvalidSecurity" in (fault.findtext("faultcode") or ""):
            raise _Refused(fault.findtext("faultstring") or "InvalidSecurity")
        if response.status_code != 200 or root is None:
            raise SatUnavailable(f"SAT's Descarga Masiva answered HTTP {response.status_code}")
        return root

    def _token(self, fiel: Credential) -> str:
        now = datetime.now(UTC)
        cached = self._tokens.get(fiel.no_certificado)
        if cached is not None and cached[1] > now:
            return cached[0]
        url, action = AUTH
        root = self._post(url, action, auth_envelope(fiel, now))
        token = _find(root, "s:Body/a:AutenticaResponse/a:AutenticaResult").text or ""
        if not token:
            raise SatUnavailable("SAT's Autenticación answered without a token")
        self._tokens[fiel.no_certificado] = (token, now + TOKEN_LIFETIME - timedelta(seconds=30))
        return token

    def request(self, fiel: Credential, query: DownloadQuery) -> RequestAnswer:
        content, action = request_envelope(fiel, query)
        name = action.rsplit("/", 1)[-1]
        try:
            root = self._post(REQUEST, action, content, self._token(fiel))
        except _Refused as exc:
            return RequestAnswer(Code.NOT_AUTHENTICATED, exc.message, None)
        result = _find(root, f"s:Body/des:{name}Response/des:{name}Result")
        code = result.get("CodEstatus") or ""
        return RequestAnswer(code, result.get("Mensaje") or "", result.get("IdSolicitud") or None
                             if code == Code.ACCEPTED else None)

    def verify(self, fiel: Credential, rfc: str, request_id: str) -> VerifyAnswer:
        url, action = VERIFY
        try:
            root = self._post(url, action, verify_envelope(fiel, rfc, request_id), self._token(fiel))
        except _Refused as exc:
            return VerifyAnswer(Code.NOT_AUTHENTICATED, exc.message, RequestState.ERROR, Code.NOT_AUTHENTICATED, 0, ())
        result = _find(root, "s:Body/des:VerificaSolicitudDescargaResponse/des:VerificaSolicitudDescargaResult")
        code, message = result.get("CodEstatus") or "", result.get("Mensaje") or ""
        if code != Code.ACCEPTED:  # the verification itself failed: no state to read (SAT sends 0)
            return VerifyAnswer(code, message, RequestState.ERROR, result.get("CodigoEstadoSolicitud") or code, 0, ())
        try:
            state = RequestState(int(result.get("EstadoSolicitud") or ""))
            count = int(result.get("NumeroCFDIs") or 0)
        except ValueError:
            raise SatUnavailable("SAT's VerificaSolicitudDescarga answered an unknown EstadoSolicitud") from None
        packages = tuple(p.text for p in result.findall(f"{{{DES}}}IdsPaquetes") if p.text)
        return VerifyAnswer(code, message, state, result.get("CodigoEstadoSolicitud") or "", count, packages)

    def download(self, fiel: Credential, rfc: str, package_id: str) -> PackageAnswer:
        url, action = DOWNLOAD
        try:
            root = self._post(url, action, download_envelope(fiel, rfc, package_id), self._token(fiel))
        except _Refused as exc:
            return PackageAnswer(Code.NOT_AUTHENTICATED, exc.message, None)
        header = _find(root, "s:Header/des:respuesta")
        code = header.get("CodEstatus") or ""
        if code != Code.ACCEPTED:
            return PackageAnswer(code, header.get("Mensaje") or "", None)
        text = _find(root, "s:Body/des:RespuestaDescargaMasivaTercerosSalida/des:Paquete").text or ""
        try:
            package = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise SatUnavailable("SAT's Descargar answered a package that is not base64") from None
        return PackageAnswer(code, header.get("Mensaje") or "", package)

