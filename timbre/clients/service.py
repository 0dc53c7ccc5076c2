"""Clients use cases (spec §2.1): CRUD, search, the `search` upsert, validation on every write.

Every field of a client is optional (gigstack's API allows storing a bare e-mail), but a value that
is given must satisfy SAT's receiver rules (`clients.validation`): an invalid value is a 400 that
names the field and the rule; a missing one only leaves `is_valid` false until it is filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients import efos_list
from timbre.clients.repository import ClientRepository, SupportDocumentRepository, search_text
from timbre.clients.rfc import INVALID_TAX_ID_MESSAGE
from timbre.clients.schemas import ClientFields, ClientSearch
from timbre.clients.tasks import delete_stored_files
from timbre.clients.validation import CAPITAL_REGIME, ClientFiscalData, Issue, ValidationReport, validate_client
from timbre.errors import Conflict, NotFound, ValidationFailed
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Client

NOT_FOUND = ("Client not found", "The specified client does not exist")
CAPITAL_REGIME_RULE = "legal_name_includes_capital_regime"
# Stored but flagged (`is_valid: false`, the issue in the validation report): gigstack's CLI creates every
# client with `use: G03`, which régimen 616 (and others) does not allow; the client's default use is only
# a default, and an invoice checks the use it writes with SAT's rule CFDI40161.
FLAGGED_RULES = {CAPITAL_REGIME_RULE, "use_not_for_tax_system"}
_TEXT_FIELDS = ("name", "legal_name", "company", "email", "phone", "tax_id", "tax_system", "use", "foreign_tax_id")
Outcome = Literal["created", "updated", "unchanged"]


def fiscal_data(client: Client) -> ClientFiscalData:
    address = client.address or {}
    return ClientFiscalData(legal_name=client.legal_name, tax_id=client.tax_id, tax_system=client.tax_system,
                            use=client.use, zip=address.get("zip"), country=address.get("country"),
                            foreign_tax_id=client.foreign_tax_id)


def _keeps_full_name(client: Client) -> bool:
    return bool((client.defaults or {}).get("keep_full_legal_name"))


def raise_for_issues(issues: Sequence[Issue]) -> None:
    """400 naming every broken rule; a bad RFC keeps gigstack's `Invalid tax_id format` summary."""
    if not issues:
        return
    ordered = sorted(issues, key=lambda issue: issue.field != "tax_id")
    message = INVALID_TAX_ID_MESSAGE if ordered[0].field == "tax_id" else "Invalid client fiscal data"
    details = [{"field": i.field, "rule": i.rule, "message": f"{i.field}: {i.message}", "sat_code": i.sat_code}
               for i in ordered]
    raise ValidationFailed(message, "; ".join(i.message for i in ordered), details=details)


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A partial update of a JSON object: given keys replace, null or "" removes."""
    return {k: v for k, v in {**current, **changes}.items() if v is not None and v != ""}


class ClientService:
    # ---- reading -------------------------------------------------------------------------------
    def list_clients(self, session: Session, auth: AuthContext, params: ListParams) -> Page:
        stmt = ClientRepository.from_session(session).scoped(auth.team_id, auth.livemode)
        return paginate(session, stmt, Client, params,
                        orderable={"name": Client.name, "legal_name": Client.legal_name, "email": Client.email},
                        metadata_column=Client.metadata_)

    def get(self, session: Session, auth: AuthContext, client_id: str) -> Client:
        client = ClientRepository.from_session(session).get_scoped(client_id, auth.team_id, auth.livemode)
        if client is None:
            raise NotFound(*NOT_FOUND)
        return client

    def search(self, session: Session, auth: AuthContext, query: str, *, limit: int,
               page: int) -> tuple[Sequence[Client], int]:
        return ClientRepository.from_session(session).search(auth.team_id, auth.livemode, query, limit=limit,
                                                             offset=(page - 1) * limit)

    def report(self, client: Client) -> ValidationReport:
        return validate_client(fiscal_data(client))

    def is_valid(self, client: Client) -> bool:
        return self.report(client).is_complete_for_invoicing

    # ---- writing -------------------------------------------------------------------------------
    def create(self, session: Session, auth: AuthContext, fields: ClientFields) -> Client:
        client = Client(id=new_id("client"), team_id=auth.team_id, livemode=auth.livemode, owner_id=auth.user_id,
                        source="api", address={}, bcc=[], defaults={}, metadata_={})
        self._apply(client, fields)
        ClientRepository.from_session(session).add(client)
        self.emit(session, client, EventType.customer_created)
        return client

    def update(self, session: Session, client: Client, fields: ClientFields) -> Client:
        self._apply(client, fields)
        session.flush()
        self.emit(session, client, EventType.customer_updated)
        return client

    def emit(self, session: Session, client: Client, type: EventType) -> None:
        """Report a change of the client (made here or elsewhere, e.g. SAT's lists re-check) in this transaction."""
        event_service.record(session, team_id=client.team_id, livemode=client.livemode, type=type,
                             data=self.serialize(session, client))

    def delete(self, session: Session, client: Client) -> None:
        self.emit(session, client, EventType.customer_deleted)
        keys = SupportDocumentRepository.from_session(session).delete_of_entity(
            client.team_id, client.livemode, "client", client.id)
        ClientRepository.from_session(session).delete(client)
        if keys:
            jobs.enqueue(session, delete_stored_files, keys)  # files go only once the rows are gone for good

    def _apply(self, client: Client, fields: ClientFields) -> None:
        data = fields.model_dump(exclude_unset=True, exclude={"search", "id"})
        for name in _TEXT_FIELDS:
            if name in data:
                setattr(client, name, data[name] or None)
        if "address" in data:
            client.address = _merged(client.address or {}, data["address"] or {}) if data["address"] else {}
        if "defaults" in data:
            client.defaults = _merged(client.defaults or {}, data["defaults"] or {}) if data["defaults"] else {}
        if "metadata" in data:
            client.metadata_ = _merged(client.metadata_ or {}, data["metadata"] or {}) if data["metadata"] else {}
        if "bcc" in data:
            client.bcc = list(dict.fromkeys(data["bcc"] or []))
        self._check(client)
        client.search_text = search_text(client)

    def _check(self, client: Client) -> None:
        report = self.report(client)
        if any(i.rule == CAPITAL_REGIME_RULE for i in report.issues) and not _keeps_full_name(client):
            # CFDI 4.0 wants the name without "S.A. de C.V." (CFDI40145): drop it, as gigstack does,
            # unless the client asked to keep it (defaults.keep_full_legal_name).
            client.legal_name = CAPITAL_REGIME.sub("", client.legal_name or "").strip(" ,") or None
            report = self.report(client)
        raise_for_issues([i for i in report.issues if i.rule not in FLAGGED_RULES])

    # ---- the upsert ----------------------------------------------------------------------------
    def upsert(self, session: Session, auth: AuthContext, fields: ClientFields,
               search: ClientSearch | None) -> tuple[Client, Outcome]:
        """POST /clients semantics: without `search`, create; with it, 0 matches → create (unless
        `auto_create` is false: 404), 1 → that client (updated when `update`), several → 409."""
        if search is None:
            return self.create(session, auth, fields), "created"
        value = search.on_value
        if value is None and not search.on_key.startswith("metadata."):
            given = getattr(fields, search.on_key, None)
            value = given if isinstance(given, str) else None
        if not value:
            raise ValidationFailed("Invalid search", f"search.on_value is required (or give {search.on_key})",
                                   details=[{"field": "search.on_value", "rule": "required",
                                             "message": "search.on_value: required"}])
        repo = ClientRepository.from_session(session)
        repo.lock_search(auth.team_id, auth.livemode, search.on_key, value)
        matches = repo.matching(auth.team_id, auth.livemode, search.on_key, value)
        if len(matches) > 1:
            text = (f'Multiple clients found matching {search.on_key}="{value}". '
                    "Please use a more specific search criteria.")
            raise Conflict(text, text, details=[m.id for m in matches])
        if matches:
            if search.update:
                return self.update(session, matches[0], fields), "updated"
            return matches[0], "unchanged"
        if not search.auto_create:
            raise NotFound("Client not found", f'No client matches {search.on_key}="{value}" '
                                               "and search.auto_create is false")
        return self.create(session, auth, fields), "created"

    # ---- output --------------------------------------------------------------------------------
    def serialize_many(self, session: Session, clients: Sequence[Client]) -> list[dict[str, Any]]:
        situations = efos_list.efos_situations(session, (c.tax_id for c in clients))
        return [self._serialize(c, situations.get(c.tax_id or "")) for c in clients]

    def serialize(self, session: Session, client: Client) -> dict[str, Any]:
        return self.serialize_many(session, [client])[0]

    def _serialize(self, client: Client, situation: str | None) -> dict[str, Any]:
        return {
            "id": client.id,
            "name": client.name,
            "legal_name": client.legal_name,
            "company": client.company,
            "email": client.email,
            "phone": client.phone,
            "tax_id": client.tax_id,
            "tax_system": client.tax_system,
            "use": client.use,
            "foreign_tax_id": client.foreign_tax_id,
            "address": client.address or {},
            "bcc": client.bcc or [],
            "metadata": client.metadata_ or {},
            "defaults": client.defaults or {},
            "is_valid": self.is_valid(client),
            "efos": efos_list.efos_field(situation),
            "from": client.source,
            "livemode": client.livemode,
            "owner": client.owner_id,
            "team": client.team_id,
            "created_at": client.created_at // 1000,
            "updated_at": client.updated_at // 1000,
        }

    def validation(self, session: Session, client: Client) -> dict[str, Any]:
        """The field-by-field report of `POST /clients/validate/{id}`."""
        report = self.report(client)
        situation = efos_list.efos_situations(session, [client.tax_id]).get(client.tax_id or "")
        return {
            "id": client.id,
            "tax_id": client.tax_id,
            "is_valid": report.is_complete_for_invoicing,
            "receiver_kind": report.receiver_kind,
            "is_foreign": report.is_foreign,
            "fields": dict(report.fields),
            "missing": report.missing,
            "issues": [issue.to_dict() for issue in report.issues],
            "efos": efos_list.efos_field(situation),
        }


client = ClientService()
