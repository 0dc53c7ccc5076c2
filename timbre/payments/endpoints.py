"""Payments API (spec §2.4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from timbre.auth.dependencies import ReadAuth, WriteAuth
from timbre.clients import support_docs
from timbre.clients.endpoints import UPLOAD_BODY, UPLOAD_RESPONSES
from timbre.clients.schemas import SupportDocumentOut
from timbre.deps import DeferredSession, SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, created_or_existing, listing, ok, rendered_listing
from timbre.kit.pagination import ListParams, list_params
from timbre.kit.storage import get_storage
from timbre.kit.uploads import MultipartForm, read_multipart
from timbre.models import Payment
from timbre.payments import create, edit, lifecycle, refunds
from timbre.payments.schemas import (
    MarkPaidInput,
    PaymentRegister,
    PaymentRequest,
    PaymentUpdate,
    RefundInput,
    Status,
)
from timbre.payments.service import payment as payment_service
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/payments", tags=["Payments"], responses=ERROR_RESPONSES)
_KEY = Header(None, alias="Idempotency-Key", max_length=255, include_in_schema=False)




class PaymentSearchEnvelope(ListEnvelope[dict[str, Any]]):
    found: int
    per_page: int


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_payments(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                  params: ListParams = Depends(list_params), status: Status | None = Query(None),
                  client_id: str | None = Query(None, max_length=60),
                  currency: str | None = Query(None, min_length=3, max_length=3),
                  email: str | None = Query(None, max_length=320, description="The client's e-mail"),
                  tax_id: str | None = Query(None, max_length=20, description="The client's RFC")) -> Response:
    """List payments, newest first (filters: `status`, `client_id`, `currency`, `email`, `tax_id`)."""
    page = payment_service.list_payments(session, auth, params, status=status, client_id=client_id,
                                         currency=currency, email=email, tax_id=tax_id)
    return rendered_listing("Payments retrieved successfully", payment_service.outputs(session, settings, page.items),
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/search", response_model=PaymentSearchEnvelope)
def search_payments(auth: ReadAuth, session: SessionDep, settings: SettingsDep,
                    q: str = Query(..., min_length=1, max_length=200, description="Words of the payment id, the "
                                   "client's names, RFC or e-mail, or metadata values"),
                    status: Status | None = Query(None), client_id: str | None = Query(None, max_length=60),
                    params: ListParams = Depends(list_params)) -> dict[str, Any]:
    """Search payments; paginated by `page` (`found`, `page`, `per_page`)."""
    page = payment_service.search(session, auth, q, params, status=status, client_id=client_id)
    body = listing("Payments retrieved successfully", payment_service.outputs(session, settings, page.items),
                   next=None, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)
    body.update(found=page.total, per_page=params.limit)
    return body


@router.post("/register", status_code=201, response_model=Envelope[dict[str, Any]],
             responses={200: {"description": "A payment with this idempotency_key was already registered"}})
def register_payment(body: PaymentRegister, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                     response: Response, idempotency_key: str | None = _KEY) -> dict[str, Any]:
    """Register a payment received: it is `succeeded` at once, and its automation runs — a stamped PUE
    invoice (`pue_invoice`), a PPD invoice and its payment complement (`ppd_invoice_and_complement`),
    the complement of `ppd_invoice_id`, or a pending receipt for self-invoicing (`receipt`, or a client
    without fiscal data). The response names the documents (`invoice`, `complement`, `automation`).
    `idempotency_key` (body or `Idempotency-Key` header): a retry returns the first payment and never
    creates a second payment, invoice or complement."""
    stored = create.register(session, auth, settings, body, idempotency_key)
    data = payment_service.output(session, settings, payment_service.get(session, auth, stored.payment.id))
    data["warnings"] = sat_lists.warnings(session, (stored.payment.client or {}).get("tax_id"))
    return created_or_existing(response, stored.created, data, created_message="Payment registered successfully",
                               existing_message="Payment already registered")


@router.post("/request", status_code=201, response_model=Envelope[dict[str, Any]],
             responses={200: {"description": "A payment with this idempotency_key was already requested"}})
def request_payment(body: PaymentRequest, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                    response: Response, idempotency_key: str | None = _KEY) -> dict[str, Any]:
    """Request a payment: a `pending` payment whose `short_url` opens our hosted payment page (the items,
    the totals, and the team's bank-transfer details or card checkout, per `allowed_payment_methods`),
    e-mailed to the client unless `send_email` is false. Its automation runs when it is paid."""
    stored = create.request(session, auth, settings, body, idempotency_key)
    data = payment_service.output(session, settings, stored.payment)
    return created_or_existing(response, stored.created, data, created_message="Payment requested successfully",
                               existing_message="Payment already requested")


@router.get("/{payment_id}", response_model=Envelope[dict[str, Any]])
def get_payment(payment_id: str, auth: ReadAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Get a payment."""
    return ok("Payment retrieved successfully",
              payment_service.output(session, settings, payment_service.get(session, auth, payment_id)))


@router.put("/{payment_id}", response_model=Envelope[dict[str, Any]])
def update_payment(payment_id: str, body: PaymentUpdate, auth: WriteAuth, session: SessionDep,
                   settings: SettingsDep) -> dict[str, Any]:
    """Update an unpaid payment's `items` (priced again), `client` (`{id}` moves the payment to another client;
    fields patch its client's record) or `automation_type` (attached when it has none), and, at any time, its
    `metadata` (merged; null removes a key) or `emails`."""
    updated = edit.update(session, auth, payment_id, body)
    return ok("Payment updated successfully", payment_service.output(session, settings, updated))


@router.post("/{payment_id}/paid", response_model=Envelope[dict[str, Any]])
def mark_paid(payment_id: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
              body: MarkPaidInput | None = None) -> dict[str, Any]:
    """Mark an unpaid payment as paid (`payment_form`, optional `paid_at`, `operation_number`): it becomes
    `succeeded` and its automation runs."""
    paid = lifecycle.mark_paid(session, auth, settings, payment_id, body or MarkPaidInput())
    return ok("Payment marked as paid", payment_service.output(session, settings,
                                                               payment_service.get(session, auth, paid.id)))


@router.post("/{payment_id}/refund", response_model=Envelope[dict[str, Any]])
def refund_payment(payment_id: str, session: DeferredSession, auth: WriteAuth, settings: SettingsDep,
                   body: RefundInput | None = None) -> dict[str, Any]:
    """Refund a paid payment in full (no body) or in part (`amount`), with an optional `reason`. A full
    refund makes it `refunded`. With the team's `refunds` settings its invoice is cancelled (this
    month's, refunded in full, `current_month_handler: cancel_resources`) or a credit note is issued;
    `cancel_receipts_on_refunds` cancels its pending receipt."""
    refunded = refunds.refund(session, auth, settings, payment_id, body or RefundInput())
    return ok("Payment refunded successfully", payment_service.output(session, settings, refunded))


@router.delete("/{payment_id}", response_model=Envelope[dict[str, Any]])
def cancel_payment(payment_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Cancel an unpaid payment (its link stops taking payments). A paid payment is refunded instead."""
    cancelled = lifecycle.cancel(session, auth, payment_id)
    return ok("Payment cancelled successfully", payment_service.output(session, settings, cancelled))


# ---- support documents ---------------------------------------------------------------------------
def _upload_target(payment_id: str, auth: WriteAuth, session: SessionDep) -> Payment:
    return payment_service.get(session, auth, payment_id)


async def _upload_form(request: Request, session: SessionDep,
                       _target: Payment = Depends(_upload_target)) -> MultipartForm:
    session.commit()  # release SQLite's write lock while a slow client sends up to 10 MiB
    return await read_multipart(request, max_file_size=support_docs.MAX_FILE_SIZE)


@router.post("/{payment_id}/support-documents", status_code=201, response_model=Envelope[SupportDocumentOut],
             responses=UPLOAD_RESPONSES, openapi_extra=UPLOAD_BODY)
def upload_support_document(payment_id: str, auth: WriteAuth, session: SessionDep, settings: SettingsDep,
                            target: Payment = Depends(_upload_target),
                            form: MultipartForm = Depends(_upload_form)) -> dict[str, Any]:
    """Attach a file to the payment (multipart: `file`, `documentType`, `name`, `description`), as for
    clients: PDF, PNG, JPG/JPEG or WEBP by its bytes (415 otherwise), at most 10 MiB (413)."""
    storage = get_storage(settings)
    doc = support_docs.attach(session, storage, auth, "payment", target.id, support_docs.parse_form(form))
    return ok("Support document uploaded successfully", support_docs.serialize(doc, storage))


@router.get("/{payment_id}/support-documents", response_model=ListEnvelope[SupportDocumentOut])
def list_support_documents(payment_id: str, auth: ReadAuth, session: SessionDep,
                           settings: SettingsDep) -> dict[str, Any]:
    """The payment's support documents, oldest first (all of them: this list has no cursor)."""
    target = payment_service.get(session, auth, payment_id)
    storage = get_storage(settings)
    docs = [support_docs.serialize(d, storage) for d in support_docs.of_entity(session, auth, "payment", target.id)]
    return listing("Support documents retrieved successfully", docs, next=None, has_more=False, total=len(docs))
