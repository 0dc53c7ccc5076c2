from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select

from timbre.kit.repository import Repository
from timbre.models import EmailMessage


class EmailRepository(Repository[EmailMessage]):
    model = EmailMessage

    def of_documents(self, team_id: str, document_ids: Sequence[str]) -> Sequence[EmailMessage]:
        stmt = (select(EmailMessage).where(EmailMessage.team_id == team_id,
                                           EmailMessage.document_id.in_(list(document_ids)))
                .order_by(EmailMessage.created_at, EmailMessage.id))
        return self.session.scalars(stmt).all()

    def stalled(self, queued_before: int, retrying_before: int, limit: int = 500) -> Sequence[str]:
        """Messages whose job was lost: still queued long after creation, or retrying long past their next try."""
        stmt = (select(EmailMessage.id)
                .where(or_(and_(EmailMessage.status == "queued", EmailMessage.created_at < queued_before),
                           and_(EmailMessage.status == "retrying", EmailMessage.updated_at < retrying_before)))
                .limit(limit))
        return self.session.scalars(stmt).all()
