from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from sqlalchemy import Row, Select, and_, bindparam, or_, select

from timbre.kit.repository import Repository
from timbre.kit.sqlin import dialect_of, one_of
from timbre.models import EmailMessage

Sent = Row[str | None, str, str, int | None]  # document_id, to, status, sent_at


class EmailRepository(Repository[EmailMessage]):
    model = EmailMessage

    def of_documents(self, team_id: str, document_ids: Sequence[str]) -> Sequence[Sent]:
        """`(document_id, to, status, sent_at)` of the e-mails that carried any of the documents, oldest first."""
        return self.session.execute(_of_documents(dialect_of(self.session)),
                                    {"team_id": team_id, "ids": list(document_ids)}).all()

    def stalled(self, queued_before: int, retrying_before: int, limit: int = 500) -> Sequence[str]:
        """Messages whose job was lost: still queued long after creation, or retrying long past their next try."""
        stmt = (select(EmailMessage.id)
                .where(or_(and_(EmailMessage.status == "queued", EmailMessage.created_at < queued_before),
                           and_(EmailMessage.status == "retrying", EmailMessage.updated_at < retrying_before)))
                .limit(limit))
        return self.session.scalars(stmt).all()


@cache  # every invoice serialized asks it (see kit.repository)
def _of_documents(dialect: str) -> Select[str | None, str, str, int | None]:
    return (select(EmailMessage.document_id, EmailMessage.to, EmailMessage.status, EmailMessage.sent_at)
            .where(EmailMessage.team_id == bindparam("team_id"), one_of(EmailMessage.document_id, "ids", dialect))
            .order_by(EmailMessage.created_at, EmailMessage.id))
