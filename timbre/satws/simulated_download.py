"""The simulated Descarga Masiva (test mode): SAT's asynchronous request → verify → download cycle over the
CFDI stamped on this server, with SAT's codes and limits. Its state lives in the database (`sat_sim_*`
tables), so the API and any number of workers see the same requests and packages.

    request   5000 and an IdSolicitud (UUID); 300 when the FIEL is not the RFC's (or not a valid FIEL); 301
              when FechaInicial > FechaFinal; 5005 while the same query is still accepted or in progress;
              5002 once the same query was asked `quota` times in its lifetime.
    verify    EstadoSolicitud goes Aceptada → EnProceso → Terminada over `steps` + 1 verifications; at the
              end the matching CFDI are counted: none → Terminada with CodigoEstadoSolicitud 5004 and no
              packages; more than 200,000 (CFDI kind) or 1,000,000 (Metadata kind) → Rechazada with 5003;
              else Terminada with packages of at most `package_size` documents. 404 for an unknown request.
    download  the package's ZIP (`<UUID>.xml` files, or the metadata TXT); 5008 once a package was
              downloaded `downloads` times; 404 for an unknown package.

Call it outside a write transaction (as one would call SAT): it commits its own short transactions.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from dataclasses import dataclass

from sqlalchemy.orm import Session

from timbre.cfdi.certs import CertificateError, CertificateKind, Credential
from timbre.kit.db import session_scope
from timbre.models import SatSimPackage, SatSimRequest
from timbre.satws import packages, simulated_state
from timbre.satws.base import (
    Code,
    Direction,
    DownloadKind,
    DownloadQuery,
    PackageAnswer,
    RequestAnswer,
    RequestState,
    VerifyAnswer,
)
from timbre.satws.repository import (
    SatDocumentRepository,
    SimCancellationRepository,
    SimPackageRepository,
    SimRequestRepository,
)
from timbre.satws.simulated_state import sat_state

MAX_CFDI = 200_000
MAX_METADATA = 1_000_000
OPEN = (RequestState.ACCEPTED, RequestState.IN_PROGRESS)


@dataclass(frozen=True)
class SimulatedRules:
    """The simulated SAT's knobs (TIMBRE_SAT_SIM_* settings): SAT's own values by default, smaller in tests."""

    steps: int = 2  # verifications answered Aceptada / EnProceso before Terminada (0: finished at once)
    package_size: int = 200_000  # documents per package
    quota: int = 2  # times the same query may be asked in its lifetime
    downloads: int = 2  # times a package may be downloaded


def _not_authenticated(fiel: Credential, rfc: str) -> str | None:
    """Why SAT refuses this FIEL for `rfc` (code 300), or None."""
    if fiel.rfc != rfc.upper() or fiel.kind is not CertificateKind.FIEL:
        return "Usuario No Válido: la e.firma no pertenece al RFC solicitante"
    try:
        fiel.check_valid_at(simulated_state.clock())
    except CertificateError:
        return "Usuario No Válido: la e.firma no está vigente"
    return None


def _query_key(query: DownloadQuery, start: str, end: str) -> str:
    text = "|".join((query.rfc.upper(), query.direction.value, query.kind.value, start, end))
    return hashlib.sha256(text.encode()).hexdigest()


def _verify_answer(request: SatSimRequest) -> VerifyAnswer:
    return VerifyAnswer(code=Code.ACCEPTED, message="Solicitud Aceptada", state=RequestState(request.state),
                        request_code=request.request_code, cfdi_count=request.cfdi_count,
                        package_ids=tuple(request.package_ids or ()))


class SimulatedDownload:
    def __init__(self, db_url: str, rules: SimulatedRules | None = None) -> None:
        self.db_url = db_url
        self.rules = rules or SimulatedRules()

    def request(self, fiel: Credential, query: DownloadQuery) -> RequestAnswer:
        refused = _not_authenticated(fiel, query.rfc)
        if refused:
            return RequestAnswer(Code.NOT_AUTHENTICATED, refused, None)
        start, end = packages.mexico_wall_clock(query.start), packages.mexico_wall_clock(query.end)
        if start > end:
            return RequestAnswer(Code.BAD_REQUEST, "XML Mal Formado: FechaInicial posterior a FechaFinal", None)
        key = _query_key(query, start, end)
        with session_scope(self.db_url) as session:
            repo = SimRequestRepository.from_session(session)
            asked = repo.asked(key)
            if any(r.state in OPEN for r in asked):
                return RequestAnswer(Code.DUPLICATE, "Solicitud duplicada: hay una solicitud en proceso con los "
                                     "mismos parámetros", None)
            if len(asked) >= self.rules.quota:
                return RequestAnswer(Code.QUOTA_EXCEEDED, "Se han agotado las solicitudes de por vida: máximo "
                                     "para solicitudes con los mismos parámetros", None)
            request_id = str(uuid_module.uuid4())
            repo.add(SatSimRequest(id=request_id, rfc=query.rfc.upper(), direction=query.direction.value,
                                   kind=query.kind.value, start=start, end=end, query_key=key,
                                   state=RequestState.ACCEPTED, request_code=Code.ACCEPTED, verifications=0,
                                   cfdi_count=0, package_ids=[]))
        return RequestAnswer(Code.ACCEPTED, "Solicitud Aceptada", request_id)

    def verify(self, fiel: Credential, rfc: str, request_id: str) -> VerifyAnswer:
        refused = _not_authenticated(fiel, rfc)
        if refused:
            return VerifyAnswer(Code.NOT_AUTHENTICATED, refused, RequestState.ERROR, Code.NOT_AUTHENTICATED, 0, ())
        with session_scope(self.db_url) as session:
            request = SimRequestRepository.from_session(session).lock(request_id)
            if request is None or request.rfc != rfc.upper():
                return VerifyAnswer(Code.UNKNOWN_REQUEST, "Solicitud no encontrada", RequestState.ERROR,
                                    Code.UNKNOWN_REQUEST, 0, ())
            if request.state in OPEN:
                request.verifications += 1
                if request.verifications <= self.rules.steps:
                    request.state = RequestState.ACCEPTED if request.verifications == 1 else RequestState.IN_PROGRESS
                else:
                    self._finish(session, request)
            return _verify_answer(request)

    def _finish(self, session: Session, request: SatSimRequest) -> None:
        documents = SatDocumentRepository.from_session(session)
        issued = request.direction == Direction.ISSUED.value
        limit = MAX_CFDI if request.kind == DownloadKind.CFDI.value else MAX_METADATA
        count = documents.count(request.rfc, issued, request.start, request.end)
        request.cfdi_count = count
        if count == 0:
            request.state, request.request_code = RequestState.FINISHED, Code.NOT_FOUND
            return
        if count > limit:
            request.state, request.request_code = RequestState.REJECTED, Code.MAX_LIMIT
            return
        uuids = documents.uuids(request.rfc, issued, request.start, request.end)
        size = max(1, self.rules.package_size)
        repo = SimPackageRepository.from_session(session)
        ids = []
        for number, first in enumerate(range(0, len(uuids), size), start=1):
            package_id = f"{request.id.upper()}_{number:02d}"
            repo.add(SatSimPackage(id=package_id, request_id=request.id, uuids=uuids[first:first + size],
                                   downloads=0))
            ids.append(package_id)
        request.package_ids = ids
        request.state, request.request_code = RequestState.FINISHED, Code.ACCEPTED

    def download(self, fiel: Credential, rfc: str, package_id: str) -> PackageAnswer:
        refused = _not_authenticated(fiel, rfc)
        if refused:
            return PackageAnswer(Code.NOT_AUTHENTICATED, refused, None)
        with session_scope(self.db_url) as session:
            package = SimPackageRepository.from_session(session).get(package_id)
            request = SimRequestRepository.from_session(session).get(package.request_id) if package else None
            if package is None or request is None or request.rfc != rfc.upper():
                return PackageAnswer(Code.UNKNOWN_REQUEST, "Paquete no encontrado", None)
            if SimPackageRepository.from_session(session).count_download(package_id, self.rules.downloads) is None:
                return PackageAnswer(Code.DOWNLOAD_LIMIT, "Máximo de descargas permitidas para este paquete", None)
            found = SatDocumentRepository.from_session(session).documents(list(package.uuids))
            if request.kind == DownloadKind.CFDI.value:
                return PackageAnswer(Code.ACCEPTED, "Solicitud Aceptada", packages.zip_xml(
                    (uuid, xml) for uuid, xml, _status, _cancellation in found))
            cancellations = SimCancellationRepository.from_session(session)
            now = simulated_state.clock()
            lines = [packages.metadata_line(uuid, xml, sat_state(status, cancellation, cancellations.get(uuid), now))
                     for uuid, xml, status, cancellation in found]
            return PackageAnswer(Code.ACCEPTED, "Solicitud Aceptada", packages.zip_metadata(package_id, lines))
