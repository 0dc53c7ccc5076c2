"""The contract of SAT's web services, shared by the live SOAP clients and the simulated SAT.

Vocabulary follows SAT's Descarga Masiva (v1.5) and Consulta de estado del CFDI services. Codes are
SAT's own strings ("5000", "5002", …) so that a recorded answer and a simulated one read the same.

    DownloadService.request(fiel, query)           SolicitaDescarga(Emitidos|Recibidos)
    DownloadService.verify(fiel, rfc, request_id)  VerificaSolicitudDescarga
    DownloadService.download(fiel, rfc, package)   Descargar (a ZIP: XML files, or the metadata TXT)
    StatusService.status(query)                    ConsultaCFDIService.Consulta

A transport failure (SAT unreachable, HTTP 5xx, unparseable answer) raises `SatUnavailable`; every
answer SAT gives, error codes included, is returned as data for the caller to act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Protocol

from timbre.cfdi.certs import Credential


class SatUnavailable(Exception):
    """SAT did not answer usably (network, HTTP status, malformed SOAP): retry later."""


class Direction(StrEnum):
    ISSUED = "issued"  # SolicitaDescargaEmitidos: RfcEmisor = the team
    RECEIVED = "received"  # SolicitaDescargaRecibidos: RfcReceptor = the team


class DownloadKind(StrEnum):
    METADATA = "Metadata"
    CFDI = "CFDI"


class RequestState(IntEnum):
    """VerificaSolicitudDescarga's EstadoSolicitud."""

    ACCEPTED = 1  # Aceptada
    IN_PROGRESS = 2  # EnProceso
    FINISHED = 3  # Terminada
    ERROR = 4  # Error
    REJECTED = 5  # Rechazada
    EXPIRED = 6  # Vencida


class Code(StrEnum):
    """SAT's CodEstatus / CodigoEstadoSolicitud values the callers act on."""

    ACCEPTED = "5000"  # Solicitud recibida con éxito
    QUOTA_EXCEEDED = "5002"  # Se agotó las solicitudes de por vida (same query asked too often)
    MAX_LIMIT = "5003"  # Tope máximo: more than 200,000 CFDI (1,000,000 metadata) in the window
    NOT_FOUND = "5004"  # No se encontró la información
    DUPLICATE = "5005"  # Solicitud duplicada (one still in progress for the same query)
    DOWNLOAD_LIMIT = "5008"  # Máximo de descargas permitidas para un paquete
    NOT_AUTHENTICATED = "300"  # Usuario no válido
    BAD_REQUEST = "301"  # XML mal formado
    BAD_SEAL = "302"  # Sello mal formado
    UNKNOWN_REQUEST = "404"  # Error no controlado / solicitud no encontrada


@dataclass(frozen=True)
class DownloadQuery:
    rfc: str  # the team's RFC (issuer for ISSUED, receiver for RECEIVED)
    direction: Direction
    kind: DownloadKind
    start: datetime  # FechaInicial (inclusive), in Mexico City local time as SAT reads it
    end: datetime  # FechaFinal (inclusive)


@dataclass(frozen=True)
class RequestAnswer:
    code: str  # CodEstatus
    message: str  # Mensaje
    request_id: str | None  # IdSolicitud, when code == "5000"


@dataclass(frozen=True)
class VerifyAnswer:
    code: str  # CodEstatus of the call itself ("5000" = the verification was answered)
    message: str
    state: RequestState  # EstadoSolicitud
    request_code: str  # CodigoEstadoSolicitud: why a request ended (e.g. "5004" nothing found)
    cfdi_count: int  # NumeroCFDIs
    package_ids: tuple[str, ...]  # IdsPaquetes, when state is FINISHED


@dataclass(frozen=True)
class PackageAnswer:
    code: str
    message: str
    package: bytes | None  # the ZIP's bytes, when code == "5000"


class DownloadService(Protocol):
    def request(self, fiel: Credential, query: DownloadQuery) -> RequestAnswer: ...

    def verify(self, fiel: Credential, rfc: str, request_id: str) -> VerifyAnswer: ...

    def download(self, fiel: Credential, rfc: str, package_id: str) -> PackageAnswer: ...


@dataclass(frozen=True)
class StatusQuery:
    """The printed expression SAT's status service reads (`?re=…&rr=…&tt=…&id=…&fe=…`)."""

    issuer_rfc: str
    receiver_rfc: str
    total: str  # as printed in the CFDI's Total attribute
    uuid: str
    seal_tail: str  # the last 8 characters of the issuer's Sello


@dataclass(frozen=True)
class CfdiStatus:
    code: str  # CodigoEstatus, e.g. "S - Comprobante obtenido satisfactoriamente."
    state: str  # Estado: "Vigente" | "Cancelado" | "No Encontrado"
    cancellable: str  # EsCancelable: "Cancelable sin aceptación" | "Cancelable con aceptación" | "No cancelable"
    cancellation_status: str  # EstatusCancelacion: "" | "En proceso" | "Plazo vencido" |
    # "Cancelado con aceptación" | "Cancelado sin aceptación" | "Solicitud rechazada"
    efos_validation: str  # ValidacionEFOS: "200" issuer not on 69-B, "100" it is


class StatusService(Protocol):
    def status(self, query: StatusQuery) -> CfdiStatus: ...
