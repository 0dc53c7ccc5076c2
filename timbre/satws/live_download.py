"""SAT's Descarga Masiva web services (v1.5), live mode."""

from __future__ import annotations

from timbre.cfdi.certs import Credential
from timbre.satws.base import DownloadQuery, PackageAnswer, RequestAnswer, SatUnavailable, VerifyAnswer


class LiveDownload:
    def __init__(self, *, timeout: float = 30.0) -> None:
        self.timeout = timeout

    def request(self, fiel: Credential, query: DownloadQuery) -> RequestAnswer:
        raise SatUnavailable("the live Descarga Masiva client is not available yet")

    def verify(self, fiel: Credential, rfc: str, request_id: str) -> VerifyAnswer:
        raise SatUnavailable("the live Descarga Masiva client is not available yet")

    def download(self, fiel: Credential, rfc: str, package_id: str) -> PackageAnswer:
        raise SatUnavailable("the live Descarga Masiva client is not available yet")
