"""The simulated Consulta de estado del CFDI and cancellation desk (test mode): what SAT answers about the CFDI
stamped on this server, and how it handles their cancellation requests (SAT's acceptance rules:
`timbre.satws.acceptance`).

    status   "No Encontrado" (N - 602) unless the UUID is ours and RFCs, Total and the seal's tail match;
             else Estado, EsCancelable ("No cancelable" while valid CFDI relate to it), EstatusCancelacion and
             ValidacionEFOS ("100" when the issuer is on SAT's 69-B list as presunto/definitivo, else "200").
    cancel   what the sandbox PAC's cancel records: "Cancelado sin aceptación" at once, or "En proceso" when
             SAT's rules route it to the receiver.
    answer   the receiver accepts ("Cancelado con aceptación") or rejects ("Solicitud rechazada") a request
             still "En proceso"; after 72 h without an answer it reads "Plazo vencido" (cancelled).

Call it outside a write transaction (as one would call SAT): it commits its own short transactions.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from timbre.cfdi import xmlsafe
from timbre.cfdi.seal import CFDI_NS
from timbre.kit.db import read_only, session_scope
from timbre.models import SatSimCancellation
from timbre.satws import simulated_state
from timbre.satws.acceptance import needs_acceptance
from timbre.satws.base import CfdiStatus, StatusQuery
from timbre.satws.repository import SatDocumentRepository, SimCancellationRepository
from timbre.satws.simulated_state import (
    IN_PROCESS,
    REJECTED,
    WITH_ACCEPTANCE,
    WITHOUT_ACCEPTANCE,
    effective_status,
    sat_state,
)

FOUND = "S - Comprobante obtenido satisfactoriamente."
NOT_FOUND = CfdiStatus(code="N - 602: Comprobante no encontrado.", state="No Encontrado", cancellable="",
                       cancellation_status="", efos_validation="")


class CancellationNotPending(Exception):
    """The receiver answered a cancellation that is not awaiting its answer (never asked, answered, expired)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _same_total(printed: str, written: str | None) -> bool:
    try:
        return Decimal(printed) == Decimal(written or "")
    except InvalidOperation:
        return False


class SimulatedStatus:
    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def status(self, query: StatusQuery) -> CfdiStatus:
        with session_scope(self.db_url) as session:
            read_only(session)
            documents = SatDocumentRepository.from_session(session)
            found = documents.document(query.uuid)
            if found is None:
                return NOT_FOUND
            xml, status, cancellation = found
            root = xmlsafe.parse(xml)
            emisor, receptor = root.find(f"{{{CFDI_NS}}}Emisor"), root.find(f"{{{CFDI_NS}}}Receptor")
            if (emisor.get("Rfc") != query.issuer_rfc.upper() or receptor.get("Rfc") != query.receiver_rfc.upper()
                    or not _same_total(query.total, root.get("Total"))
                    or (query.seal_tail and not (root.get("Sello") or "").endswith(query.seal_tail))):
                return NOT_FOUND
            now = simulated_state.clock()
            sat = sat_state(status, cancellation, SimCancellationRepository.from_session(session).get(
                query.uuid.upper()), now)
            if documents.dependents(query.uuid):
                cancellable = "No cancelable"
            elif needs_acceptance(root, now):
                cancellable = "Cancelable con aceptación"
            else:
                cancellable = "Cancelable sin aceptación"
            efos = "100" if documents.is_efos(emisor.get("Rfc")) else "200"
            return CfdiStatus(code=FOUND, state=sat.state, cancellable=cancellable,
                              cancellation_status=sat.cancellation_status, efos_validation=efos)

    def cancel(self, uuid: str, rfc_emisor: str) -> str | None:
        """Record a cancellation request the sandbox PAC accepted; SAT's EstatusCancelacion after it (None
        for a UUID this SAT does not hold, e.g. a retention: nothing to route)."""
        with session_scope(self.db_url) as session:
            read_only(session)  # a caller may hold the write lock (a retention's cancel): only read until needed
            found = SatDocumentRepository.from_session(session).document(uuid)
        if found is None:
            return None
        root = xmlsafe.parse(found[0])
        with session_scope(self.db_url) as session:
            repo = SimCancellationRepository.from_session(session)
            row = repo.lock(uuid)
            now = simulated_state.clock()
            if row is not None:
                current, _at = effective_status(row, now)
                if current != REJECTED:  # pending or done: asking again changes nothing
                    return current
                repo.delete(row)  # a rejected request may be made again
            status = IN_PROCESS if needs_acceptance(root, now) else WITHOUT_ACCEPTANCE
            receptor = root.find(f"{{{CFDI_NS}}}Receptor").get("Rfc")
            repo.add(SatSimCancellation(id=uuid.upper(), issuer_rfc=rfc_emisor.upper(), receiver_rfc=receptor,
                                        status=status, requested_at=int(now.timestamp() * 1000),
                                        answered_at=None if status == IN_PROCESS else int(now.timestamp() * 1000)))
            return status

    def answer(self, uuid: str, accept: bool) -> str:
        """The receiver's answer to a pending cancellation; SAT's EstatusCancelacion after it."""
        with session_scope(self.db_url) as session:
            row = SimCancellationRepository.from_session(session).lock(uuid)
            if row is None:
                raise CancellationNotPending("")
            current, _at = effective_status(row, simulated_state.clock())
            if current != IN_PROCESS:
                raise CancellationNotPending(current)
            row.status = WITH_ACCEPTANCE if accept else REJECTED
            row.answered_at = int(simulated_state.clock().timestamp() * 1000)
            return row.status
