"""One payload schema per event type: `data` is the object as the API returns it.

Domains with a response model (clients, services, teams) reuse it. Invoices, payments and receipts are
returned as open objects by their endpoints; their payload models name the fields integrators key on and
allow every other field the API shows. SAT-mirror documents have no API yet: the model states the minimum.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from timbre.clients.schemas import ClientOut
from timbre.events.types import EventType
from timbre.services.schemas import ServiceOut
from timbre.teams.schemas import TeamOut


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InvoiceEventData(_Open):
    """The invoice as `GET /v2/invoices/income/{uuid}` returns it."""

    id: str
    uuid: str | None = None
    status: str | None = None
    invoice_type: str | None = None
    livemode: bool | None = None
    total: float | None = None
    currency: str | None = None


class InvoiceCancellationEventData(InvoiceEventData):
    """The invoice, whose cancellation awaits or was refused by its receiver: `cancellation_status` is `pending`
    (SAT asked the receiver; `sat_status.cancellation_status` "En proceso") or `rejected` ("Solicitud
    rechazada"). Its acceptance, or 72 hours without an answer, is an `invoice.canceled`."""

    cancellation_status: str | None = None
    cancellation: dict[str, Any] | None = None
    sat_status: dict[str, Any] | None = None


class PaymentEventData(_Open):
    """The payment as `GET /v2/payments/{id}` returns it."""

    id: str
    status: str | None = None
    livemode: bool | None = None
    amount: float | None = None
    currency: str | None = None


class ReceiptEventData(_Open):
    """The receipt as `GET /v2/receipts/{id}` returns it."""

    id: str
    status: str | None = None
    livemode: bool | None = None


class InvoiceBatchEventData(_Open):
    """A finished batch of invoices: how many were stamped and which failed."""

    id: str
    stamped: int = 0
    failed: int = 0


class SatInvoiceEventData(_Open):
    """A CFDI found in SAT's records for the team (SAT download)."""

    uuid: str
    issuer_tax_id: str | None = None
    receiver_tax_id: str | None = None


class WebhookTestData(_Open):
    """What `POST /v2/webhooks/{id}/test` sends."""

    webhook: str
    message: str = Field("This is a test event from Timbre")


PAYLOADS: dict[EventType, type[BaseModel]] = {
    **{t: PaymentEventData for t in EventType if t.value.startswith("payment.")},
    EventType.invoice_created: InvoiceEventData,
    EventType.invoice_canceled: InvoiceEventData,
    EventType.invoice_failed: InvoiceEventData,
    EventType.invoice_cancellation_status_updated: InvoiceCancellationEventData,
    EventType.invoice_batch_completed: InvoiceBatchEventData,
    **{t: ReceiptEventData for t in EventType if t.value.startswith("receipt.")},
    **{t: ClientOut for t in EventType if t.value.startswith("customer.")},
    **{t: ServiceOut for t in EventType if t.value.startswith("service.")},
    EventType.sat_invoice_synced: SatInvoiceEventData,
    **{t: TeamOut for t in EventType if t.value.startswith("teams.")},
    EventType.webhook_test: WebhookTestData,
}
assert set(PAYLOADS) == set(EventType), "every event type has a payload schema"

_ADAPTERS: dict[EventType, TypeAdapter[Any]] = {t: TypeAdapter(model) for t, model in PAYLOADS.items()}


def to_wire(type: EventType, data: Any) -> dict[str, Any]:
    """`data` validated against its event type's schema and rendered as JSON-ready values, like a response."""
    adapter = _ADAPTERS[type]
    dumped: dict[str, Any] = adapter.dump_python(adapter.validate_python(data), mode="json", by_alias=True,
                                                exclude_unset=True)
    return dumped
