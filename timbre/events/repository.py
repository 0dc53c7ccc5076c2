from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Event


class EventRepository(TeamScopedRepository[Event]):
    model = Event

    def undispatched(self, before: int, limit: int = 500) -> Sequence[str]:
        """Events committed before `before` that were never fanned out (the relay's job was lost)."""
        stmt = (select(Event.id).where(Event.dispatched_at.is_(None), Event.created_at < before)
                .order_by(Event.created_at).limit(limit))
        return self.session.scalars(stmt).all()

    def claim_dispatch(self, event_id: str, now: int) -> bool:
        """Mark the event dispatched if nobody did: the one caller that gets True fans it out (in its own
        transaction, so a concurrent caller waits on the row and then sees it taken)."""
        stmt = update(Event).where(Event.id == event_id, Event.dispatched_at.is_(None)).values(dispatched_at=now)
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def purge_older_than(self, cutoff: int) -> int:
        result = self.session.execute(delete(Event).where(Event.created_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]
