"""SW Sapien (REST/JSON), through satcfdi's client, with its faults mapped to our exception tree.

satcfdi's `_request` has no timeout; `_Client` is the same request with one.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from satcfdi import __version__ as satcfdi_version
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import ResponseError
from satcfdi.pacs import CancelReason, swsapien

from ..certs import Credential
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
