"""`POST /clients/csf`: a client created or updated from its Constancia de Situación Fiscal.

The constancia's data must make a valid CFDI 4.0 receiver (RFC, name, régimen, postal code) before anything is
written; then the client with that RFC is updated (`search: {on_key: tax_id, update: true}`, as `POST /clients`)
or created, or, with `client_id`, that client is updated (it must have no RFC or the constancia's).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.csf import CsfData, read_csf
from timbre.clients.schemas import ClientFields, ClientSearch
from timbre.clients.service import FLAGGED_RULES, Outcome, raise_for_issues
from timbre.clients.service import client as client_service
from timbre.clients.validation import ClientFiscalData, validate_client
from timbre.errors import BadRequest, ValidationFailed
from timbre.models import Client
from timbre.schemas import Address

__all__ = ["import_csf"]

_RECEIVER_FIELDS = ("legal_name", "tax_id", "tax_system", "address.zip")


def _check_receiver(csf: CsfData) -> None:
    """400 unless the constancia gives a complete, valid receiver (the CFDI use is not on it)."""
    report = validate_client(ClientFiscalData(legal_name=csf.legal_name, tax_id=csf.tax_id,
                                              tax_system=csf.tax_system, zip=csf.address.get("zip"),
                                              country=csf.address.get("country")))
    raise_for_issues([i for i in report.issues if i.rule not in FLAGGED_RULES])
    missing = [name for name in report.missing if name in _RECEIVER_FIELDS]
    if missing:
        details = [{"field": name, "rule": "required", "message": f"{name}: not found on the constancia"}
                   for name in missing]
        raise ValidationFailed("Incomplete Constancia de Situación Fiscal",
                               "; ".join(d["message"] for d in details), details=details)


def _fields(csf: CsfData) -> ClientFields:
    return ClientFields(name=csf.legal_name, legal_name=csf.legal_name, tax_id=csf.tax_id,
                        tax_system=csf.tax_system, address=Address(**csf.address))


def import_csf(session: Session, auth: AuthContext, data: bytes,
               client_id: str | None) -> tuple[Client, Outcome, dict[str, Any]]:
    """The client (flushed, not committed), whether it was created or updated, and what the constancia says."""
    target = client_service.get(session, auth, client_id) if client_id else None
    csf = read_csf(data)
    _check_receiver(csf)
    if target is not None:
        if target.tax_id and target.tax_id != csf.tax_id:
            raise BadRequest("Constancia of another taxpayer",
                             f"The constancia is of {csf.tax_id} but client {target.id} has RFC {target.tax_id}")
        return client_service.update(session, target, _fields(csf)), "updated", csf.to_dict()
    found, outcome = client_service.upsert(session, auth, _fields(csf), ClientSearch(on_key="tax_id", update=True))
    return found, outcome, csf.to_dict()
