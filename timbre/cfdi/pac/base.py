"""The PAC interface: one base class with English verbs, one small adapter per provider.

Exception hierarchy (map to HTTP once, at the boundary):

    PacError                  anything that went wrong talking to a PAC
    ├── PacUnavailable        transport failures, timeouts, 5xx, unparseable answers: retryable
    └── PacRejected           the PAC (or SAT through it) refused the document: not retryable
                              as is; carries SAT's/the PAC's `code` and `message`
        └── PacNotFound       the UUID to cancel or query is unknown to the PAC
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from satcfdi.cfdi import CFDI

from .. import xmlsafe
from ..certs import Credential
from ..seal import find_timbre


class Environment(Enum):
    TEST = "test"
    PRODUCTION = "production"


class CancelMotive(StrEnum):
    """SAT's cancellation reasons (c_MotivoCancelacion)."""

    ERRORES_CON_RELACION = "01"
    ERRORES_SIN_RELACION = "02"
    NO_SE_LLEVO_A_CABO = "03"
    OPERACION_NOMINATIVA_EN_GLOBAL = "04"


class PacError(Exception):
    """Base class for PAC failures."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PacUnavailable(PacError):
    """The PAC could not be reached or did not answer usably; the call may be retried."""


class PacRejected(PacError):
    """The PAC or SAT refused the request, with SAT's (or the PAC's) error code."""

    def __init__(self, code: str, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.code = code
        self.reason = message
        self.details = details or []


class PacNotFound(PacRejected):
    """The UUID is unknown to the PAC."""



class RawCFDI(CFDI):  # type: ignore[misc]  # satcfdi is untyped
    """Our exact sealed bytes, for satcfdi's PAC clients (they would re-serialize the document otherwise)."""

    def __init__(self, xml: bytes) -> None:
        super().__init__()
        self.raw = xml

    def xml_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self.raw

@dataclass(frozen=True, slots=True)
class StampResult:
    uuid: str
    xml: bytes
    fecha_timbrado: datetime
    no_certificado_sat: str
    sello_sat: str
    rfc_prov_certif: str
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CancelResult:
    """`status` is SAT's EstatusUUID code for the folio (201 accepted, 202 already cancelled...);
    `cancellation_status` SAT's EstatusCancelacion right after the request when the PAC knows it ("En proceso":
    SAT routed it to the receiver for acceptance; None: not reported, the request stands as accepted)."""

    uuid: str
    status: str
    acuse_xml: bytes | None
    fecha: datetime | None = None
    cancellation_status: str | None = None


@dataclass(frozen=True, slots=True)
class ManifestParty:
    """The taxpayer signing a PAC's manifest, as the PAC's contract service asks for it."""

    rfc: str
    name: str
    address: str
    email: str


@dataclass(frozen=True, slots=True)
class ManifestResult:
    """A PAC's contract service accepted the documents signed with the FIEL (`documents`: name → signed XML)."""

    message: str
    documents: dict[str, bytes] = field(default_factory=dict)


class PAC:
    """A stamping provider. Adapters implement the verbs they support. SAT's status of a CFDI is not a PAC's
    business: it is asked of SAT's own service (`timbre.satws.services.status_service`)."""

    name = "pac"
    rfc = ""

    def __init__(self, environment: Environment = Environment.TEST) -> None:
        self.environment = environment

    def stamp(self, xml: bytes) -> StampResult:
        """Stamp a sealed CFDI: returns it with its TimbreFiscalDigital."""
        raise NotImplementedError

    def stamp_retention(self, xml: bytes) -> StampResult:
        """Stamp a sealed CFDI de Retenciones 2.0: returns it with its TimbreFiscalDigital."""
        raise PacRejected("", f"the {self.name} PAC adapter does not stamp CFDI de Retenciones")

    def cancel(
        self,
        uuid: str,
        rfc_emisor: str,
        motive: CancelMotive | str,
        substitution_uuid: str | None = None,
        *,
        credential: Credential | None = None,
    ) -> CancelResult:
        """Ask SAT (through the PAC) to cancel `uuid`. Some PACs need the issuer's CSD."""
        raise NotImplementedError

    def sign_manifest(self, party: ManifestParty, signer: Callable[[str], bytes]) -> ManifestResult | None:
        """Hand the PAC's own contract service the texts it asks its clients to accept, each signed by `signer`
        (text → signed XML) with the taxpayer's FIEL. None: this PAC has no such service (the manifest Timbre
        signs is the record). PacRejected when the PAC refuses, PacUnavailable when it does not answer."""
        return None


def check_cancel_request(motive: CancelMotive | str, substitution_uuid: str | None) -> CancelMotive:
    """Validate SAT's motive rules before any network call: 01 needs the substitute's UUID and
    only 01 carries one."""
    try:
        value = CancelMotive(motive)
    except ValueError:
        raise PacRejected("", f"unknown cancellation motive {motive!r}: expected 01, 02, 03 or 04") from None
    if value is CancelMotive.ERRORES_CON_RELACION and not substitution_uuid:
        raise PacRejected("", "motive 01 requires the UUID of the substituting CFDI")
    if value is not CancelMotive.ERRORES_CON_RELACION and substitution_uuid:
        raise PacRejected("", "only motive 01 carries a substitution UUID")
    return value


def stamp_result(xml: bytes, *, warnings: list[str] | None = None,
                 finder: Callable[[Any], Any] = find_timbre) -> StampResult:
    """A `StampResult` read from a stamped CFDI a PAC returned (parsed strictly); `finder` locates the
    TimbreFiscalDigital (a CFDI 4.0's by default; `retenciones.seal.find_timbre` for a retention)."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        raise PacUnavailable(f"the PAC returned an unreadable CFDI: {exc}") from None
    timbre = finder(root)
    if timbre is None:
        raise PacUnavailable("the PAC returned a CFDI without a TimbreFiscalDigital")
    try:
        fecha = datetime.fromisoformat(timbre.get("FechaTimbrado") or "")
    except ValueError:
        raise PacUnavailable("the PAC returned a TimbreFiscalDigital without a valid FechaTimbrado") from None
    return StampResult(
        uuid=(timbre.get("UUID") or "").upper(),
        xml=xml,
        fecha_timbrado=fecha,
        no_certificado_sat=timbre.get("NoCertificadoSAT") or "",
        sello_sat=timbre.get("SelloSAT") or "",
        rfc_prov_certif=timbre.get("RfcProvCertif") or "",
        warnings=warnings or [],
    )


@contextlib.contextmanager
def map_exceptions(mapping: Mapping[type[BaseException], type[PacError]]) -> Iterator[None]:
    """Re-raise low-level errors (transport, parsing) as the most specific public PAC error."""
    try:
        yield
    except PacError:
        raise
    except Exception as exc:
        for source, target in mapping.items():
            if isinstance(exc, source):
                message = str(exc) or type(exc).__name__
                if issubclass(target, PacRejected):
                    raise target("", message) from None
                raise target(message) from None
        raise
