"""Services use cases (spec §2.2): CRUD with SAT's keys and taxes checked on every write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import store
from timbre.catalogs.tax_rules import tax_issues
from timbre.errors import NotFound, ValidationFailed
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Service
from timbre.services.repository import ServiceRepository
from timbre.services.schemas import ServiceCreate, ServiceUpdate

NOT_FOUND = ("Service not found", "The specified service does not exist")
_REQUIRED_FIELDS = ("description", "product_key", "unit_key", "unit_price")
_OPTIONAL_FIELDS = ("sku", "unit_name")


def _issue(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": f"{field}: {message}"}


def _check(service: Service) -> None:
    """400 listing every SAT rule the service breaks (unknown keys, taxes SAT does not allow)."""
    issues: list[dict[str, str]] = []
    if not service.product_key:
        issues.append(_issue("product_key", "required", "required (a c_ClaveProdServ key, e.g. 81111500); "
                                                        "find one with GET /v2/catalogs/product-keys?q="))
    elif not store.exists("c_ClaveProdServ", service.product_key):
        issues.append(_issue("product_key", "product_key_unknown",
                             f"{service.product_key!r} is not in SAT's c_ClaveProdServ; find the right key with "
                             "GET /v2/catalogs/product-keys?q=<words>"))
    if not service.unit_key:
        issues.append(_issue("unit_key", "required", "required (a c_ClaveUnidad key, e.g. E48 or H87)"))
    elif not store.exists("c_ClaveUnidad", service.unit_key):
        issues.append(_issue("unit_key", "unit_key_unknown",
                             f"{service.unit_key!r} is not in SAT's c_ClaveUnidad; find the right key with "
                             "GET /v2/catalogs/unit-keys?q=<words>"))
    issues += tax_issues("taxes", service.taxes or [])
    if issues:
        summary = "; ".join(i["message"] for i in issues)
        message = "Invalid tax" if all(i["field"].startswith("taxes") for i in issues) else "Invalid service"
        raise ValidationFailed(message, summary, details=issues)


class ServiceService:
    def list_services(self, session: Session, auth: AuthContext, params: ListParams) -> Page:
        stmt = ServiceRepository.from_session(session).scoped(auth.team_id, auth.livemode)
        return paginate(session, stmt, Service, params,
                        orderable={"name": Service.description, "description": Service.description,
                                   "sku": Service.sku},
                        metadata_column=Service.metadata_)

    def get(self, session: Session, auth: AuthContext, service_id: str) -> Service:
        found = ServiceRepository.from_session(session).get_scoped(service_id, auth.team_id, auth.livemode)
        if found is None:
            raise NotFound(*NOT_FOUND)
        return found

    def create(self, session: Session, auth: AuthContext, body: ServiceCreate) -> Service:
        settings = auth.team.settings or {}
        created = Service(id=new_id("service"), team_id=auth.team_id, livemode=auth.livemode,
                          description=body.description, sku=body.sku or None,
                          product_key=body.product_key or settings.get("product_key") or "",
                          unit_key=body.unit_key or settings.get("unit_key") or "",
                          unit_name=body.unit_name or None, unit_price=body.unit_price,
                          taxes=[tax.model_dump(mode="json") for tax in body.taxes], metadata_=body.metadata)
        self._finish(created)
        ServiceRepository.from_session(session).add(created)
        self._emit(session, created, EventType.service_created)
        return created

    def update(self, session: Session, service: Service, body: ServiceUpdate) -> Service:
        data = body.model_dump(exclude_unset=True)
        for name in _REQUIRED_FIELDS:  # null cannot clear a required field: it is ignored
            if data.get(name) is not None:
                setattr(service, name, data[name])
        for name in _OPTIONAL_FIELDS:
            if name in data:
                setattr(service, name, data[name] or None)
        if body.taxes is not None:
            service.taxes = [tax.model_dump(mode="json") for tax in body.taxes]
        if "unit_key" in data and "unit_name" not in data:
            service.unit_name = None  # the old unit's name would now be wrong; take the new unit's
        if body.metadata is not None:
            merged = {**(service.metadata_ or {}), **body.metadata}
            service.metadata_ = {k: v for k, v in merged.items() if v is not None}
        self._finish(service)
        session.flush()
        self._emit(session, service, EventType.service_updated)
        return service

    def delete(self, session: Session, service: Service) -> None:
        self._emit(session, service, EventType.service_deleted)
        ServiceRepository.from_session(session).delete(service)

    def _emit(self, session: Session, service: Service, type: EventType) -> None:
        event_service.record(session, team_id=service.team_id, livemode=service.livemode, type=type,
                             data=self.serialize(service))

    @staticmethod
    def _finish(service: Service) -> None:
        _check(service)
        if not service.unit_name:
            row = store.get("c_ClaveUnidad", service.unit_key)
            service.unit_name = row["name"][:100] if row else None

    @staticmethod
    def serialize(service: Service) -> dict[str, Any]:
        return {
            "id": service.id,
            "description": service.description,
            "sku": service.sku,
            "product_key": service.product_key,
            "unit_key": service.unit_key,
            "unit_name": service.unit_name,
            "unit_price": service.unit_price,
            "taxes": [{**tax, "rate": Decimal(str(tax.get("rate") or 0))} for tax in service.taxes or []],
            "metadata": service.metadata_ or {},
            "livemode": service.livemode,
            "team": service.team_id,
            "created_at": service.created_at // 1000,
            "updated_at": service.updated_at // 1000,
        }


service = ServiceService()
