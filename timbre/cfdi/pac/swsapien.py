"""SW Sapien (REST/JSON), through satcfdi's client, with its faults mapped to our exception tree.

satcfdi's `_request` has no timeout; `_Client` is the same request with one. CFDI de Retenciones go to SW's
retentions service (`/retencion/stamp/v3`, which satcfdi does not wrap): the same multipart `xml` and JSON
envelope, the stamped document in `data.retencion`.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from satcfdi import __version__ as satcfdi_version
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import ResponseError
from satcfdi.pacs import CancelReason, swsapien

from .. import xmlsafe
from ..certs import Credential
from ..retenciones.seal import find_timbre as find_retention_timbre
from .base import (
    PAC,
    CancelMotive,
    CancelResult,
    Environment,
    PacRejected,
    PacUnavailable,
    RawCFDI,
    StampResult,
    check_cancel_request,
    map_exceptions,
    stamp_result,
)

DEFAULT_TIMEOUT = 30.0
RETENTIONS_PATH = "retencion/stamp/v3"
_MESSAGE = re.compile(r"^\s*(?P<code>[A-Z]*[0-9]+)\s*[-.:]\s*(?P<message>.*)$", re.S)
_UNAVAILABLE: dict[type[BaseException], type[PacUnavailable]] = {
    requests.RequestException: PacUnavailable,
    ValueError: PacUnavailable,  # the body is not JSON
    KeyError: PacUnavailable,  # the JSON lacks what a success carries
    TypeError: PacUnavailable,
}



class _Client(swsapien.SWSapien):  # type: ignore[misc]
    timeout = DEFAULT_TIMEOUT

    def _request(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "post",
        files: Any = None,
        json: Any = None,
        needs_token: bool = True,
        service: str = "services",
    ) -> Any:
        response = requests.request(
            method=method,
            url=f"{self._host(service)}/{path}",
            headers={
                "Cache-Control": "no-cache",
                "Authorization": self.token_fn() if needs_token else "",
                "User-Agent": satcfdi_version.__user_agent__,
                **(headers or {}),
            },
            json=json,
            files=files,
            timeout=self.timeout,
        )
        if not response.ok:
            raise ResponseError(response)
        body = response.json()
        if body.get("status") != "success":
            raise ResponseError(response)
        return body


def _failure(error: ResponseError) -> PacRejected | PacUnavailable:
    response = error.response
    if not isinstance(response, requests.Response):
        return PacUnavailable(str(response))
    if response.status_code >= 500:
        return PacUnavailable(f"SW Sapien answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return PacUnavailable(f"SW Sapien answered HTTP {response.status_code} without JSON")
    message = str(body.get("message") or f"HTTP {response.status_code}")
    detail = body.get("messageDetail")
    details = [str(detail)] if detail else []
    match = _MESSAGE.match(message)
    if match:
        return PacRejected(match["code"], match["message"].strip(), details=details)
    return PacRejected(str(response.status_code), message, details=details)


def _previous_stamp(failure: PacRejected | PacUnavailable) -> str | None:
    """The stamped retention a 307 ("already stamped") carries in its detail, if it does."""
    if not isinstance(failure, PacRejected) or failure.code != "307" or not failure.details:
        return None
    try:
        root = xmlsafe.parse(failure.details[0].encode())
    except xmlsafe.XmlError:
        return None
    return failure.details[0] if find_retention_timbre(root) is not None else None


class SWSapienPAC(PAC):
    name = "swsapien"
    rfc = swsapien.SWSapien.RFC

    def __init__(
        self,
        *,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        environment: Environment = Environment.TEST,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(environment)
        client_environment = (
            swsapien.Environment.TEST if environment is Environment.TEST else swsapien.Environment.PRODUCTION
        )
        self.client = _Client(token=token, user=user, password=password, environment=client_environment)
        self.client.timeout = timeout

    def stamp(self, xml: bytes) -> StampResult:
        try:
            with map_exceptions(_UNAVAILABLE):
                document = self.client.stamp(RawCFDI(xml))
        except ResponseError as error:
            raise _failure(error) from None
        if not document.xml:
            raise PacUnavailable("SW Sapien answered without the stamped XML")
        return stamp_result(document.xml)

    def stamp_retention(self, xml: bytes) -> StampResult:
        """Stamp a sealed Retenciones 2.0. SW answers a document it stamped before with 307 and that
        document in `messageDetail`: it is returned (the caller checks it is this one by its seal)."""
        try:
            with map_exceptions(_UNAVAILABLE):
                body = self.client._request(path=RETENTIONS_PATH, files=[("xml", ("xml", xml, "text/xml"))])
                stamped = body["data"]["retencion"]
        except ResponseError as error:
            failure = _failure(error)
            stamped = _previous_stamp(failure)
            if stamped is None:
                raise failure from None
        if not stamped:
            raise PacUnavailable("SW Sapien answered without the stamped retention")
        return stamp_result(stamped.encode() if isinstance(stamped, str) else stamped, finder=find_retention_timbre)

    def cancel(
        self,
        uuid: str,
        rfc_emisor: str,
        motive: CancelMotive | str,
        substitution_uuid: str | None = None,
        *,
        credential: Credential | None = None,
    ) -> CancelResult:
        """SW Sapien signs the request with the CSD stored in its account; `credential` is unused."""
        value = check_cancel_request(motive, substitution_uuid)
        document = CFDI({"Complemento": {"TimbreFiscalDigital": {"UUID": uuid.upper()}}, "Emisor": {"Rfc": rfc_emisor}})
        try:
            with map_exceptions(_UNAVAILABLE):
                acknowledgment = self.client.cancel(
                    document, CancelReason(value.value), substitution_id=substitution_uuid
                )
        except ResponseError as error:
            raise _failure(error) from None
        acuse = acknowledgment.acuse
        return CancelResult(
            uuid=uuid.upper(),
            status=str(acknowledgment.code),
            acuse_xml=acuse.encode() if isinstance(acuse, str) else acuse,
        )
