"""Payment complements API (spec §2.3: `GET/POST /invoices/payment`, `GET /invoices/payment/{uuid}`).

Their XML and PDF come from `GET /invoices/{uuid}/files` and they are cancelled with
`DELETE /invoices/{uuid}`, as every other CFDI of the team.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.complements import balances  # noqa: F401  # registers the balance release and the cancel refusal
from timbre.complements.compose import ComplementRequest
from timbre.complements.create import create
from timbre.complements.schemas import ComplementInput
from timbre.complements.service import complement as complement_service
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/invoices", tags=["Payment complements"], responses={
    **ERROR_RESPONSES, 402: {"description": "Team credit limit reached (`credit_limit`, `used_credits` in the body)"}})
Status = Literal["pending", "valid", "failed", "cancelled"]




@router.get("/payment", response_model=ListEnvelope[dict[str, Any]])
@router.get("/complements", response_model=ListEnvelope[dict[str, Any]], include_in_schema=False)
def list_complements(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                     params: ListParams = Depends(list_params), status: Status | None = Query(None),
                     client_id: str | None = Query(None, max_length=60),
                     invoice_id: str | None = Query(None, max_length=60, description="Only the complements that "
                                                    "pay this PPD invoice (its id or UUID)")) -> dict[str, Any]:
    """List payment complements (CFDI type P), newest first."""
    page = complement_service.list_complements(session, auth, params, status=status, client_id=client_id,
                                               invoice_id=invoice_id)
    return listing("Payment complements retrieved successfully",
                   complement_service.outputs(session, settings, auth, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/payment/{uuid}", response_model=Envelope[dict[str, Any]])
@router.get("/complements/{uuid}", response_model=Envelope[dict[str, Any]], include_in_schema=False)
def get_complement(uuid: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Get a payment complement by its CFDI UUID (or its `id`)."""
    found = complement_service.get(session, auth, uuid)
    return ok("Payment complement retrieved successfully", complement_service.output(session, settings, auth, found))


@router.post("/payment", status_code=201, response_model=Envelope[dict[str, Any]])
def create_complement(body: ComplementInput, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                      response: Response) -> dict[str, Any]:
    """Issue a payment complement (CFDI type P, Pagos 2.0) for a payment received elsewhere.

    `invoices[]` are PPD invoices of the team, each with the `amount` paid in its own currency (and
    the `equivalence` when the payment is in another currency); `payment_form` (not 99), `currency`,
    `exchange_rate` (MXN per unit, for foreign currencies), `paid_at`, `operation_number` and the bank
    accounts describe the payment. Installment numbers and previous balances come from the
    invoices' records; each invoice's taxes are prorated per SAT's rules. An amount above an
    invoice's `last_balance` is a 400 `overpayment`; any other SAT rule (CFDI 4.0 and Pagos 2.0,
    CRP20xxx) a 400 listing every violation. 201 when stamped, 202 when the PAC did not answer.
    """
    created = create(session, auth, settings, ComplementRequest.from_input(body))
    assert created is not None
    invoice = created.invoice
    if created.status == "failed":
        error = invoice.error or {}
        raise BadRequest("Failed to stamp payment complement", f"{error.get('code')}: {error.get('message')}",
                         code="stamp_rejected", details=error.get("details"), extra={"invoice_id": invoice.id})
    data = complement_service.output(session, settings, auth, invoice, with_files=body.return_files_urls)
    # accepted but unchecked (no FIX rate known for the day), or a receiver on one of SAT's lists
    data["warnings"] = created.warnings + sat_lists.warnings(session, (invoice.client or {}).get("tax_id"))
    if created.status == "pending":
        response.status_code = 202
        return ok("Payment complement accepted; the PAC did not answer and stamping will be retried", data)
    return ok("Payment complement created successfully", data)
