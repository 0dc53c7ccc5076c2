"""Retentions use cases: create (check the guide's rules, take a credit and a RET folio, seal, stamp),
list, get, cancel and files.

Create commits its own short steps like invoices (`invoices/create.py`): the rules are checked before
anything is taken; a short transaction spends the credit, takes the folio and inserts the `pending`
row; the document is sealed for that folio, its bytes stored, and stamped outside any transaction; a last
one records `valid`, `failed` (credit refunded, error kept) or, when the PAC did not answer, leaves it
`pending` for `retentions.tasks.recover_retention` (the same bytes re-sent: never a second stamp, never a
lost folio). Live mode needs a PAC adapter that stamps retentions: without one the request is refused
before any folio or credit is taken.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.pac import PAC, PacRejected, PacUnavailable
from timbre.cfdi.pac.base import check_cancel_request
from timbre.cfdi.retenciones import rules, xsd
from timbre.cfdi.retenciones.build import build
from timbre.cfdi.retenciones.seal import seal
from timbre.clients.repository import ClientRepository
from timbre.config import Settings
from timbre.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from timbre.invoices.create import FIRST_RETRY, spend_credit
from timbre.invoices.repository import FolioRepository
from timbre.invoices.stamping import Attempt, pac_for, unexpected
from timbre.invoices.validation import raise_for
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Client, Retention
from timbre.retentions.compose import TAX_NAMES, ComposedRetention, compose
from timbre.retentions.repository import RetentionRepository
from timbre.retentions.schemas import CancelRetentionInput, RetentionInput
from timbre.retentions.stamping import apply, attempt
from timbre.retentions.tasks import recover_retention
from timbre.sat.service import sat_connection

log = logging.getLogger("timbre.retentions")
SERIES = "RET"
DOCUMENT_TYPE = "retention"


def violations(composed: ComposedRetention) -> list[dict[str, Any]]:
    return [{"code": v.code, "field": v.field, "message": v.message} for v in rules.check(composed.data)]


def schema_violations(composed: ComposedRetention) -> list[dict[str, Any]]:
    """SAT's schemas (document and complement) on the document sealed as it will be, with a provisional folio:
    a catalog key or pattern they refuse is a 400 before any folio or credit (rule RET20012)."""
    assert composed.credential is not None
    composed.data.folio_int = f"{SERIES}1"
    errors = xsd.validate(seal(build(composed.data), composed.credential))
    return [{"code": v.code, "field": v.field, "message": v.message} for v in rules.schema_violations(errors)]


def _row(auth: AuthContext, composed: ComposedRetention, folio: int) -> Retention:
    d = composed.data
    receptor = d.receptor
    return Retention(
        id=new_id("ret"), team_id=auth.team_id, livemode=auth.livemode, status="pending",
        retention_key=d.cve_retenc, description=d.desc_retenc, series=SERIES, folio_number=folio,
        client_id=composed.client.id,
        issuer={"legal_name": d.emisor.nombre, "tax_id": d.emisor.rfc, "tax_system": d.emisor.regimen_fiscal},
        receiver={"legal_name": receptor.nombre, "tax_id": receptor.rfc, "nationality": receptor.nacionalidad,
                  "zip": receptor.domicilio_fiscal, "foreign_tax_id": receptor.num_reg_id_trib},
        period={"start": int(d.mes_ini), "end": int(d.mes_fin), "year": int(d.ejercicio)},
        currency=composed.currency, exchange_rate=composed.exchange_rate,
        total_operation=d.monto_tot_operacion, total_taxable=d.monto_tot_grav, total_exempt=d.monto_tot_exent,
        total_retained=d.monto_tot_ret,
        taxes=[{"tax": i.impuesto, "tax_name": TAX_NAMES.get(i.impuesto or ""),
                "base": str(i.base) if i.base is not None else None, "amount": str(i.monto),
                "payment_type": i.tipo_pago} for i in d.imp_retenidos],
        complement={"type": next(iter(d.complementos))} if d.complementos else None,
        issued_at=d.fecha_exp.isoformat(), owner_id=auth.user_id,
    )


def _seal_and_stamp(session: Session, retention: Retention, composed: ComposedRetention, pac: PAC) -> None:
    """Seal the reserved (committed) retention for its folio, store the sealed bytes, then one call to the PAC
    outside any transaction; a PAC that did not answer leaves it pending for `recover_retention`."""
    repo = RetentionRepository.from_session(session)
    try:
        assert composed.credential is not None
        composed.data.folio_int = f"{SERIES}{retention.folio_number}"
        xml = seal(build(composed.data), composed.credential)
    except Exception as exc:  # after the folio: the retention fails visibly and its credit comes back
        log.exception("retention %s: unexpected error while sealing", retention.id)
        session.rollback()
        repo.lock(retention)
        apply(session, retention, Attempt(rejected=unexpected("internal_error", "sealing", exc)), pac)
        return
    retention.xml, retention.pac, retention.attempts = xml, pac.name, 1
    session.commit()  # stored before they reach a PAC: a recovery re-sends these very bytes
    outcome = attempt(pac, xml)
    repo.lock(retention)
    if retention.status == "pending" and apply(session, retention, outcome, pac) == "pending":
        jobs.enqueue(session, recover_retention, retention.id, retention.team_id, retention.livemode,
                     eta=datetime.now(UTC) + FIRST_RETRY)


class RetentionService:
    def create(self, session: Session, auth: AuthContext, settings: Settings, body: RetentionInput) -> Retention:
        pac = pac_for(settings, auth.livemode)
        if type(pac).stamp_retention is PAC.stamp_retention:
            raise BadRequest("PAC cannot stamp retentions", f"The configured PAC ({pac.name}) has no CFDI de "
                             "Retenciones adapter in Timbre", code="pac_not_supported")
        session.commit()  # end the read-only authentication transaction: resolving may create the client
        composed = compose(session, auth, settings.secret(), body)
        raise_for(violations(composed), "Invalid retention")
        raise_for(schema_violations(composed), "Invalid retention")
        spend_credit(session, auth.team_id)
        folio = FolioRepository.from_session(session).next_folio(auth.team_id, DOCUMENT_TYPE, SERIES, auth.livemode)
        retention = RetentionRepository.from_session(session).add(_row(auth, composed, folio))
        session.commit()
        _seal_and_stamp(session, retention, composed, pac)
        session.commit()
        return retention

    def list(self, session: Session, auth: AuthContext, params: ListParams, *, status: str | None,
             retention_key: str | None, client_id: str | None) -> Page:
        stmt = RetentionRepository.from_session(session).listing(
            auth.team_id, auth.livemode, status=status, retention_key=retention_key, client_id=client_id)
        return paginate(session, stmt, Retention, params)

    def get(self, session: Session, auth: AuthContext, ref: str) -> Retention:
        found = RetentionRepository.from_session(session).by_ref(auth.team_id, auth.livemode, ref)
        if found is None:
            raise NotFound("Retention not found", f"No retention {ref!r} in this team and mode")
        return found

    def client(self, session: Session, auth: AuthContext, r: Retention) -> Client | None:
        """The retention's client, if it still exists."""
        if not r.client_id:
            return None
        return ClientRepository.from_session(session).get_scoped(r.client_id, auth.team_id, auth.livemode)

    def cancel(self, session: Session, auth: AuthContext, settings: Settings, ref: str,
               body: CancelRetentionInput) -> Retention:
        retention = self.get(session, auth, ref)
        if retention.status != "valid" or retention.uuid is None:
            raise Conflict("Retention cannot be cancelled", f"Only valid retentions can be cancelled (status: "
                           f"{retention.status})", code="retention_not_cancellable")
        try:
            check_cancel_request(body.motive, body.substitution_uuid)
        except PacRejected as exc:
            raise BadRequest("Invalid cancellation", exc.message, code="invalid_cancellation") from None
        pac = pac_for(settings, auth.livemode)
        csd = sat_connection.active(session, auth.team_id, auth.livemode)
        credential = sat_connection.credential(settings.secret(), csd) if csd is not None else None
        try:
            result = pac.cancel(retention.uuid, (retention.issuer or {}).get("tax_id", ""), body.motive,
                                body.substitution_uuid, credential=credential)
        except PacUnavailable as exc:
            raise ServiceUnavailable("PAC unavailable", exc.message, code="pac_unavailable") from None
        except PacRejected as exc:
            raise BadRequest("Cancellation rejected", exc.message, code="cancellation_rejected") from None
        retention.status = "canceled"
        retention.acuse_xml = result.acuse_xml
        retention.cancellation = {"motive": body.motive, "substitution_uuid": body.substitution_uuid,
                                  "status": result.status, "canceled_at": result.fecha.isoformat()
                                  if result.fecha else None}
        return retention


retention = RetentionService()
