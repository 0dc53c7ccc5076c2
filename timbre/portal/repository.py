"""What a client's customer portal reads: its documents, always within the client's team and mode."""

from __future__ import annotations

from collections.abc import Sequence

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Invoice, Payment, Receipt

LIMIT = 200


class ClientInvoiceRepository(TeamScopedRepository[Invoice]):
    model = Invoice

    def stamped_of_client(self, team_id: str, livemode: bool, client_id: str) -> Sequence[Invoice]:
        return list(self.session.scalars(self.scoped(team_id, livemode).where(
            Invoice.client_id == client_id, Invoice.status.in_(("valid", "cancelled")))
            .order_by(Invoice.created_at.desc()).limit(LIMIT)))


class ClientReceiptRepository(TeamScopedRepository[Receipt]):
    model = Receipt

    def of_client(self, team_id: str, livemode: bool, client_id: str) -> Sequence[Receipt]:
        return list(self.session.scalars(self.scoped(team_id, livemode).where(Receipt.client_id == client_id)
                                         .order_by(Receipt.created_at.desc()).limit(LIMIT)))


class ClientPaymentRepository(TeamScopedRepository[Payment]):
    model = Payment

    def of_client(self, team_id: str, livemode: bool, client_id: str) -> Sequence[Payment]:
        return list(self.session.scalars(self.scoped(team_id, livemode).where(Payment.client_id == client_id)
                                         .order_by(Payment.created_at.desc()).limit(LIMIT)))
