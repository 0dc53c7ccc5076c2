"""Retentions API (spec §2.10, addendum §3): CFDI de Retenciones e Información de Pagos 2.0."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.invoices.schemas import SendInput
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.retentions import files
from timbre.retentions import send as send_use_case
from timbre.retentions.output import serialize
from timbre.retentions.schemas import CancelRetentionInput, RetentionInput
from timbre.retentions.service import retention as retention_service
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/retentions", tags=["Retentions"], responses={
    **ERROR_RESPONSES, 402: {"description": "Team credit limit reached"},
    503: {"description": "The PAC is unavailable (cancellation); retry later"},
})


@router.post("", status_code=201, response_model=Envelope[dict[str, Any]])
def create_retention(session: DeferredSession, body: RetentionInput, auth: WriteAuth,
                     settings: SettingsDep) -> JSONResponse:
    """Create and stamp a CFDI de Retenciones 2.0 (series `RET`, its own folios, one credit).

    `retention_key` is SAT's c_CveRetenc; keys 06, 14, 16, 18 and 26 carry their complement
    (`share_sale`, `dividends`, `interest`, `foreign_payments`, `platform_services`). Amounts are MXN, or
    another `currency` with `exchange_rate` (converted: the document states MXN). Every rule of SAT's
    filling guide is checked first: a violation is a 400 listing each (`code` RET20xxx/RETCxxxx,
    `field`); `GET /invoices/cfdi-errors?type=retention` lists them all. A receiver on SAT's lists (69,
    69-B, 69-B Bis) is not refused: `warnings` names each list and its publication. 202 `pending` when the
    PAC did not answer: the same sealed document is re-sent by a job until it does (never stamped twice)."""
    created = retention_service.create(session, auth, settings, body)
    if created.status == "failed":
        error = created.error or {}
        raise BadRequest("Failed to stamp retention", f"{error.get('code')}: {error.get('message')}",
                         code="stamp_rejected", details=error.get("details"), extra={"retention_id": created.id})
    data = serialize(created)
    data["warnings"] = sat_lists.warnings(session, (created.receiver or {}).get("tax_id"))  # SAT's lists
    if created.status == "pending":
        return JSONResponse(ok("Retention accepted; the PAC did not answer and stamping will be retried", data),
                            status_code=202)
    return JSONResponse(ok("Retention created successfully", data), status_code=201)


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_retentions(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params),
                    status: Literal["valid", "canceled", "pending", "failed"] | None = Query(None),
                    retention_key: str | None = Query(None, max_length=2, description="c_CveRetenc, e.g. 14, 26"),
                    client_id: str | None = Query(None, max_length=60)) -> dict[str, Any]:
    """List retentions (filters `status`, `retention_key`, `client_id`)."""
    page = retention_service.list(session, auth, params, status=status, retention_key=retention_key,
                                  client_id=client_id)
    return listing("Retentions retrieved successfully", [serialize(r) for r in page.items], next=page.next,
                   has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/{id}", response_model=Envelope[dict[str, Any]])
def get_retention(id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a retention by its `id` or its UUID."""
    return ok("Retention retrieved successfully", serialize(retention_service.get(session, auth, id)))


@router.delete("/{id}", response_model=Envelope[dict[str, Any]])
def cancel_retention(id: str, body: CancelRetentionInput, auth: WriteAuth, session: SessionDep,
                     settings: SettingsDep) -> dict[str, Any]:
    """Cancel a stamped retention with SAT: `{motive, substitution_uuid}` (motives 01-04 as invoices; 01
    needs the substitute's UUID)."""
    cancelled = retention_service.cancel(session, auth, settings, id, body)
    return ok("Retention cancelled successfully", serialize(cancelled))


@router.get("/{id}/files", response_model=Envelope[dict[str, str]])
def get_retention_files(id: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                        file_type: Literal["pdf", "xml", "acuse"] | None = Query(None)) -> dict[str, Any]:
    """Signed links (valid one hour) to the retention's PDF and XML (and the acuse once cancelled)."""
    found = retention_service.get(session, auth, id)
    return ok("Retention files retrieved successfully", files.links(settings, found, auth.team, file_type))


@router.post("/{id}/send", response_model=Envelope[dict[str, Any]])
def send_retention(id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                   body: SendInput | None = None) -> dict[str, Any]:
    """E-mail the retention (links to its PDF and XML, valid 7 days) to `emails`, else to the client's
    e-mail, plus the team's `emails.invoices_bcc`."""
    found = retention_service.get(session, auth, id)
    client = retention_service.client(session, auth, found)
    return ok("Retention sent successfully", send_use_case.send(session, settings, found, auth.team, client,
                                                                 body.emails if body else None))
