"""The event types: gigstack's 26 names (spec §4), plus `invoice.cancellation_status_updated` (a cancellation SAT
routed to the receiver for acceptance: requested, rejected) and `webhook.test` (sent by `POST /webhooks/{id}/test`)."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    payment_created = "payment.created"
    payment_updated = "payment.updated"
    payment_succeeded = "payment.succeeded"
    payment_canceled = "payment.canceled"
    payment_deleted = "payment.deleted"
    payment_upcoming_due_date = "payment.upcoming_due_date"
    invoice_created = "invoice.created"
    invoice_canceled = "invoice.canceled"
    invoice_failed = "invoice.failed"
    invoice_cancellation_status_updated = "invoice.cancellation_status_updated"
    invoice_batch_completed = "invoice_batch.completed"
    receipt_created = "receipt.created"
    receipt_updated = "receipt.updated"
    receipt_completed = "receipt.completed"
    receipt_deleted = "receipt.deleted"
    customer_created = "customer.created"
    customer_updated = "customer.updated"
    customer_deleted = "customer.deleted"
    service_created = "service.created"
    service_updated = "service.updated"
    service_deleted = "service.deleted"
    sat_invoice_synced = "sat.invoice.synced"
    teams_created = "teams.created"
    teams_sat_completed = "teams.sat.completed"
    teams_stripe_completed = "teams.stripe.completed"
    teams_openpay_completed = "teams.openpay.completed"
    teams_sat_manifest_signed = "teams.sat.manifest.signed"
    webhook_test = "webhook.test"


# What a webhook may subscribe to: every type but the test event (which goes to the tested webhook only).
SUBSCRIBABLE = tuple(t.value for t in EventType if t is not EventType.webhook_test)

# Older spellings gigstack's n8n trigger still sends on create/update (addendum §2.4), mapped to the current ones.
ALIASES = {
    "invoice.cancelled": "invoice.canceled",
    "payment.cancelled": "payment.canceled",
    "invoice.stamped": "invoice.created",
    "receipt.cancelled": "receipt.deleted",
    "receipt.stamped": "receipt.completed",
}
