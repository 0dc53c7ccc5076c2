"""Finkok (SOAP), through satcfdi's client, with its faults mapped to our exception tree.

satcfdi's client sends requests without a timeout; `_Client` adds one (a hung PAC must become
a retryable `PacUnavailable`, not a stuck worker).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

import requests
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.create.cancela import cancelacion
from satcfdi.exceptions import DocumentNotFoundError, ResponseError
from satcfdi.models.signer import Signer
from satcfdi.pacs import finkok

from ..certs import Credential
from ..retenciones.seal import find_timbre as find_retention_timbre
from .base import (
    PAC,
    CancelMotive,
    CancelResult,
    Environment,
    ManifestParty,
    ManifestResult,
    PacNotFound,
    PacRejected,
    PacUnavailable,
    RawCFDI,
    StampResult,
    check_cancel_request,
    map_exceptions,
    stamp_result,
)
from .finkok_manifest import FinkokManifest

DEFAULT_TIMEOUT = 30.0
_INCIDENCIA = re.compile(r"^\s*(?P<code>[A-Za-z0-9]+)\s+-\s+(?P<message>.*)$", re.S)
# Transport failures and answers that are not the SOAP we expect are retryable.
_UNAVAILABLE: dict[type[BaseException], type[PacUnavailable]] = {
    requests.RequestException: PacUnavailable,
    etree.XMLSyntaxError: PacUnavailable,
    AttributeError: PacUnavailable,  # an expected element is missing from the answer
    TypeError: PacUnavailable,
}



class _Client(finkok.Finkok):  # type: ignore[misc]
    timeout = DEFAULT_TIMEOUT

    def _perform_request(self, url: str, envelope: Any) -> Any:
        response = requests.post(url=url, data=etree.tostring(envelope), timeout=self.timeout)
        if response.status_code >= 500 and b"Fault" not in response.content:
            raise PacUnavailable(f"Finkok answered HTTP {response.status_code}")
        return etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True))


class _RetentionsClient(_Client):
    """Finkok's retentions service: the same `stamp` operation and answer at `retentions.wsdl`."""

    namespaces: ClassVar[dict[str, str]] = {**finkok.Finkok.namespaces, "stamp": "http://facturacion.finkok.com/retentions"}

    def get_service_url(self, operation: str) -> str:
        return f"{self.host}/servicios/soap/retentions.wsdl" if operation == "stamp" else str(
            super().get_service_url(operation))


def _rejected(error: ResponseError) -> PacRejected:
    text = str(error.response)
    match = _INCIDENCIA.match(text)
    if isinstance(error, DocumentNotFoundError):
        return PacNotFound("", text)
    if match:
        return PacRejected(match["code"], match["message"].strip())
    return PacRejected("", text)


def signer(credential: Credential) -> Signer:
    """satcfdi's Signer for our Credential (Finkok's cancellation is signed by the issuer's CSD)."""
    cer = credential.der
    key = credential.export_pkcs8()
    return Signer.load(certificate=cer, key=key, password=None)


class FinkokPAC(PAC):
    name = "finkok"
    rfc = finkok.Finkok.RFC

    def __init__(
        self,
        username: str,
        password: str,
        environment: Environment = Environment.TEST,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        snid: str | None = None,
    ) -> None:
        super().__init__(environment)
        self.snid = snid  # the reseller account's id at Finkok's manifest service (TIMBRE_PAC_SNID)
        self.timeout = timeout
        client_environment = (
            finkok.Environment.TEST if environment is Environment.TEST else finkok.Environment.PRODUCTION
        )
        self.client = _Client(username=username, password=password, environment=client_environment)
        self.client.timeout = timeout
        self.retentions = _RetentionsClient(username=username, password=password, environment=client_environment)
        self.retentions.timeout = timeout

    def stamp(self, xml: bytes) -> StampResult:
        try:
            with map_exceptions(_UNAVAILABLE):
                document = self.client.stamp(RawCFDI(xml))
        except ResponseError as error:
            raise _rejected(error) from None
        if not document.xml:
            raise PacUnavailable("Finkok answered without the stamped XML")
        return stamp_result(document.xml)

    def stamp_retention(self, xml: bytes) -> StampResult:
        try:
            with map_exceptions(_UNAVAILABLE):
                document = self.retentions.stamp(RawCFDI(xml))
        except ResponseError as error:
            raise _rejected(error) from None
        if not document.xml:
            raise PacUnavailable("Finkok answered without the stamped retention")
        return stamp_result(document.xml, finder=find_retention_timbre)

    def sign_manifest(self, party: ManifestParty, signer: Callable[[str], bytes]) -> ManifestResult:
        """Finkok's manifest service (`finkok_manifest`): its contract and privacy notice, signed and sent."""
        if not self.snid:
            raise PacRejected("", "Finkok's manifest service needs the reseller's SNID: set TIMBRE_PAC_SNID")
        return FinkokManifest(self.snid, self.environment, self.timeout).sign(party, signer)

    def cancel(
        self,
        uuid: str,
        rfc_emisor: str,
        motive: CancelMotive | str,
        substitution_uuid: str | None = None,
        *,
        credential: Credential | None = None,
    ) -> CancelResult:
        value = check_cancel_request(motive, substitution_uuid)
        if credential is None:
            raise ValueError("Finkok cancellations are signed with the issuer's CSD: pass credential=")
        if credential.rfc != rfc_emisor.upper():
            raise PacRejected("203", "Folio Fiscal No Correspondiente al Emisor",
                              details=["the CSD belongs to another RFC"])
        request = cancelacion.Cancelacion(
            emisor=signer(credential),
            folios=cancelacion.Folio(uuid=uuid.upper(), motivo=value.value, folio_sustitucion=substitution_uuid),
        )
        try:
            with map_exceptions(_UNAVAILABLE):
                acknowledgment = self.client.cancel_comprobante(request)
        except ResponseError as error:
            raise _rejected(error) from None
        code = acknowledgment.code
        return CancelResult(
            uuid=uuid.upper(),
            status=str(code) if code is not None else "",
            acuse_xml=acknowledgment.acuse,
        )

