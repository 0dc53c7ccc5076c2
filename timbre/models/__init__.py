"""ORM models, one file per table. Importing this package registers every table on `Base.metadata`."""

from typing import Any

from timbre.models.api_key import ApiKey
from timbre.models.base import Base
from timbre.models.billing_account import BillingAccount
from timbre.models.email_message import EmailMessage
from timbre.models.idempotency import IdempotencyRecord
from timbre.models.membership import Membership
from timbre.models.series import Series
from timbre.models.team import Team
from timbre.models.user import User
from timbre.models.user_token import UserToken

# Tables whose rows are fiscal documents of a team (invoices, payments, receipts): a team that has
# any cannot be deleted. Each document model appends itself here.
DOCUMENT_MODELS: list[Any] = []

__all__ = [
    "DOCUMENT_MODELS",
    "ApiKey",
    "Base",
    "BillingAccount",
    "EmailMessage",
    "IdempotencyRecord",
    "Membership",
    "Series",
    "Team",
    "User",
    "UserToken",
]
