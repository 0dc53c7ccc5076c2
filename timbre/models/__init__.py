"""ORM models, one file per table. Importing this package registers every table on `Base.metadata`."""

from typing import Any

from timbre.models.api_key import ApiKey
from timbre.models.base import Base
from timbre.models.billing_account import BillingAccount
from timbre.models.client import Client
from timbre.models.csd import Csd
from timbre.models.draft import InvoiceDraft
from timbre.models.efos_entry import EfosEntry
from timbre.models.email_message import EmailMessage
from timbre.models.event import Event
from timbre.models.exchange_rate import ExchangeRate
from timbre.models.idempotency import IdempotencyRecord
from timbre.models.invoice import Invoice
from timbre.models.membership import Membership
from timbre.models.payment import Payment
from timbre.models.payment_complement import PaymentComplement
from timbre.models.payment_complement_document import PaymentComplementDocument
from timbre.models.receipt import Receipt
from timbre.models.retention import Retention
from timbre.models.sat_download_package import SatDownloadPackage
from timbre.models.sat_download_request import SatDownloadRequest
from timbre.models.sat_download_run import SatDownloadRun
from timbre.models.sat_invoice import SatInvoice
from timbre.models.sat_list import SatListEntry, SatListImport
from timbre.models.sat_mirror_settings import SatMirrorSettings
from timbre.models.sat_sim_cancellation import SatSimCancellation
from timbre.models.sat_sim_package import SatSimPackage
from timbre.models.sat_sim_request import SatSimRequest
from timbre.models.series import Series
from timbre.models.service import Service
from timbre.models.support_document import SupportDocument
from timbre.models.team import Team
from timbre.models.user import User
from timbre.models.user_token import UserToken
from timbre.models.webhook import Webhook
from timbre.models.webhook_attempt import WebhookAttempt
from timbre.models.webhook_delivery import WebhookDelivery

# Tables whose rows are fiscal documents of a team (invoices, payments, receipts): a team that has
# any cannot be deleted. Each document model appends itself here.
DOCUMENT_MODELS: list[Any] = []
DOCUMENT_MODELS.append(Invoice)
DOCUMENT_MODELS.append(Payment)
DOCUMENT_MODELS.append(Receipt)
DOCUMENT_MODELS.append(Retention)

__all__ = [
    "DOCUMENT_MODELS",
    "ApiKey",
    "Base",
    "BillingAccount",
    "Client",
    "Csd",
    "EfosEntry",
    "EmailMessage",
    "Event",
    "ExchangeRate",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceDraft",
    "Membership",
    "Payment",
    "PaymentComplement",
    "PaymentComplementDocument",
    "Receipt",
    "Retention",
    "SatDownloadPackage",
    "SatDownloadRequest",
    "SatDownloadRun",
    "SatInvoice",
    "SatListEntry",
    "SatListImport",
    "SatMirrorSettings",
    "SatSimCancellation",
    "SatSimPackage",
    "SatSimRequest",
    "Series",
    "Service",
    "SupportDocument",
    "Team",
    "User",
    "UserToken",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
