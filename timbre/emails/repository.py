from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select

from timbre.kit.repository import Repository
from timbre.models import EmailMessage


class EmailRepository(Repository[EmailMessage]):
    model = EmailMessage

    def of_documents(self, team_id: str, document_ids: Sequence[str]) -> Sequence[EmailMessage]:
        return self.session.scalars(_of_documents(), {"team_id": team_id, "ids": list(document_ids)}).all()

    def stalled(self, queued_before: int, retrying_before: int, limit: int = 500) -> Sequence[str]:
        """Messages whose job was lost: still queued long after creation, or retrying long past their next try."""
        stmt = (select(EmailMessage.id)
                .where(or_(and_(EmailMessage.status == "queued", EmailMessage.created_at < queued_before),
                           and_(EmailMessage.status == "retrying", EmailMessage.updated_at < retrying_before)))
                .limit(limit))
        return self.session.scalars(stmt).all()


@cache  # every invoice serialized asks it (see kit.repository)
def _of_documents() -> Select[Any]:
    return (select(EmailMessage).where(EmailMessage.team_id == bindparam("team_id"),
                                       EmailMessage.document_id.in_(bindparam("ids", expanding=True)))
            .order_by(EmailMessage.created_at, EmailMessage.id))
