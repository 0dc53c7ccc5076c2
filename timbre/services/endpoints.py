"""Services API (spec §2.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.deps import SessionDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.services.schemas import DeletedOut, ServiceCreate, ServiceOut, ServiceUpdate
from timbre.services.service import service as service_service

router = APIRouter(prefix="/services", tags=["Services"], responses=ERROR_RESPONSES)


@router.get("", response_model=ListEnvelope[ServiceOut])
def list_services(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params)) -> dict[str, Any]:
    """List services, newest first (`order_by`: created_at, name/description, sku; `metadata.<key>` filters)."""
    page = service_service.list_services(session, auth, params)
    return listing("Services retrieved successfully", [service_service.serialize(s) for s in page.items],
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.post("", status_code=201, response_model=Envelope[ServiceOut])
def create_service(body: ServiceCreate, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Create a service. `product_key` (c_ClaveProdServ) and `unit_key` (c_ClaveUnidad) must exist in SAT's
    catalogs (default: the team's settings) and each tax must be a rate/factor SAT's c_TasaOCuota allows."""
    created = service_service.create(session, auth, body)
    return ok("Service created successfully", service_service.serialize(created))


@router.get("/{service_id}", response_model=Envelope[ServiceOut])
def get_service(service_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a service."""
    return ok("Service retrieved successfully", service_service.serialize(service_service.get(session, auth,
                                                                                              service_id)))


@router.put("/{service_id}", response_model=Envelope[ServiceOut])
def update_service(service_id: str, body: ServiceUpdate, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Update the fields given; the same SAT checks as on create apply to the result."""
    updated = service_service.update(session, service_service.get(session, auth, service_id), body)
    return ok("Service updated successfully", service_service.serialize(updated))


@router.delete("/{service_id}", response_model=Envelope[DeletedOut])
def delete_service(service_id: str, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Delete a service (invoices already issued with it are not affected)."""
    service_service.delete(session, service_service.get(session, auth, service_id))
    return ok("Service deleted successfully", {"id": service_id, "deleted": True})
