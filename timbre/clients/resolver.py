"""The one way other documents (invoices, payments, receipts, retentions) get their client.

    from timbre.clients.resolver import ClientRef, assert_ready_for_invoicing, resolve_client

    class InvoiceCreate(Strict):
        client: ClientRef
        ...

    client = resolve_client(session, auth, body.client)   # a stored Client of auth's team and mode
    assert_ready_for_invoicing(client)                      # 400 if fiscal data is missing

A client on SAT's lists (69, 69-B, 69-B Bis) is never refused: the endpoint answers `warnings`
(`satlists.service.sat_lists.warnings`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.schemas import ClientRef
from timbre.clients.service import client as client_service
from timbre.errors import BadRequest, ValidationFailed
from timbre.models import Client

__all__ = ["ClientRef", "assert_ready_for_invoicing", "client_snapshot", "resolve_client"]


def resolve_client(session: Session, auth: AuthContext, client_input: ClientRef) -> Client:
    """Resolve `client_input` to a stored client of `auth.team_id` in `auth.livemode`.

    - `{"id": "client_…"}`: that client (its other fields are ignored); 404 `Client not found`.
    - `{"search": {on_key, on_value, update, auto_create}, ...fields}`: exactly `POST /clients`'
      upsert — one match is used (and updated with the fields when `update`), none creates the
      client from the fields (404 when `auto_create` is false), several are a 409 listing the ids.
    - inline fields only (`{"name", "tax_id", ...}`): a new client is created from them.

    Fields given are validated as on `POST /clients` (400 naming the field and the rule). The client
    is flushed, not committed: it is stored only if the caller's request succeeds. Whether it may
    receive a CFDI is a separate check (`assert_ready_for_invoicing`).
    """
    if client_input.id:
        return client_service.get(session, auth, client_input.id)
    given = client_input.model_fields_set - {"id", "search"}
    if client_input.search is None and not given:
        raise BadRequest("Invalid client", "Give the client's id, a search, or its fields (name, tax_id, ...)")
    found, _outcome = client_service.upsert(session, auth, client_input, client_input.search)
    return found


def client_snapshot(client: Client) -> dict[str, Any]:
    """The client as a document keeps it (payments, receipts): later edits of the client never change it."""
    return {"id": client.id, "name": client.name or client.legal_name, "legal_name": client.legal_name,
            "email": client.email, "tax_id": client.tax_id, "tax_system": client.tax_system,
            "zip": (client.address or {}).get("zip")}


def assert_ready_for_invoicing(client: Client) -> None:
    """400 unless every field a CFDI 4.0 receiver needs is given and valid (the client's `is_valid`)."""
    report = client_service.report(client)
    if report.is_complete_for_invoicing:
        return
    details = [{"field": i.field, "rule": i.rule, "message": f"{i.field}: {i.message}", "sat_code": i.sat_code}
               for i in report.issues]
    details += [{"field": name, "rule": "required", "message": f"{name}: required to issue a CFDI to this client",
                 "sat_code": None} for name in report.missing]
    summary = "; ".join(d["message"] or "" for d in details)
    raise ValidationFailed("Client is not ready for invoicing", summary, details=details)
