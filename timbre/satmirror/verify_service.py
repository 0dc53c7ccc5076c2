"""`POST /tools/verify-cfdi`: the mirror's verification of any CFDI plus SAT's current status; stores nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi import verify as cfdi_verify
from timbre.errors import BadRequest
from timbre.satmirror import read
from timbre.satmirror.output import serialize_summary
from timbre.satmirror.verification import verification
from timbre.satws.base import SatUnavailable, StatusQuery
from timbre.satws.services import status_service


def verify_cfdi(session: Session, xml: bytes, *, livemode: bool) -> dict[str, Any]:
    try:
        root, version = cfdi_verify.parse(xml)
        summary = read.from_xml(root, version)
    except (cfdi_verify.NotACfdi, read.Unreadable) as exc:
        raise BadRequest("Invalid CFDI", str(exc), code="invalid_file_format",
                         details=[{"field": "body", "message": str(exc)}]) from None
    checked = verification(session, root, version, livemode=livemode, issuer_rfc=summary.issuer_rfc)
    query = StatusQuery(issuer_rfc=summary.issuer_rfc, receiver_rfc=summary.receiver_rfc,
                        total=root.get("Total") or "", uuid=summary.uuid, seal_tail=(root.get("Sello") or "")[-8:])
    try:
        status = status_service(livemode).status(query)
        sat: dict[str, Any] = {"available": True, "state": status.state, "code": status.code,
                               "cancellable": status.cancellable, "cancellation_status": status.cancellation_status,
                               "efos_validation": status.efos_validation}
    except SatUnavailable as exc:
        sat = {"available": False, "state": None, "detail": f"SAT's status service did not answer: {exc}"}
    return {**serialize_summary(summary), "verification": checked, "sat_status": sat}
