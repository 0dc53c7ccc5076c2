from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select, update

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Event, Membership, User, Webhook, WebhookAttempt, WebhookDelivery

_OPEN = ("pending", "retrying")


class WebhookRepository(TeamScopedRepository[Webhook]):
    model = Webhook

    def active(self, team_id: str, livemode: bool) -> Sequence[Webhook]:
        return self.session.scalars(self.scoped(team_id, livemode).where(Webhook.status == "active")
                                    .order_by(Webhook.created_at)).all()

    def has_active(self, team_id: str, livemode: bool) -> bool:
        """Whether the team has an active webhook in this mode (asked for every event recorded)."""
        return self.session.execute(_an_active_one(), {"team_id": team_id, "livemode": livemode}).first() is not None

    def admin_emails(self, team_id: str) -> Sequence[str]:
        stmt = (select(User.email).join(Membership, Membership.user_id == User.id)
                .where(Membership.team_id == team_id, Membership.role == "admin"))
        return self.session.scalars(stmt).all()


class DeliveryRepository(TeamScopedRepository[WebhookDelivery]):
    model = WebhookDelivery

    def claim(self, delivery_id: str, now: int, lease_until: int) -> bool:
        """Take the delivery for one attempt if it is open, due and nobody holds it: one conditional UPDATE, so
        of two workers (or a job and the sweep) exactly one gets it."""
        stmt = (update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status.in_(_OPEN),
                       WebhookDelivery.next_attempt_at <= now,
                       or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now))
                .values(lease_until=lease_until))
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def due_before(self, horizon: int, limit: int = 1000) -> Sequence[tuple[str, int, int | None]]:
        """Open deliveries due before `horizon`: (id, next_attempt_at, lease_until)."""
        stmt = (select(WebhookDelivery.id, WebhookDelivery.next_attempt_at, WebhookDelivery.lease_until)
                .where(WebhookDelivery.status.in_(_OPEN), WebhookDelivery.next_attempt_at < horizon)
                .order_by(WebhookDelivery.next_attempt_at).limit(limit))
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt)]

    def waits_for_earlier(self, delivery: WebhookDelivery, event: Event) -> bool:
        """Whether an earlier event of the same object is still on its way to this webhook (an open delivery, or
        an event not fanned out yet): events of one object reach a webhook in the order they happened."""
        if not event.object_id:
            return False
        earlier = or_(Event.created_at < event.created_at, and_(Event.created_at == event.created_at,
                                                                  Event.id < event.id))
        open_delivery = (self.scoped(delivery.team_id, delivery.livemode)
                         .join(Event, Event.id == WebhookDelivery.event_id)
                         .where(WebhookDelivery.webhook_id == delivery.webhook_id, WebhookDelivery.status.in_(_OPEN),
                                WebhookDelivery.id != delivery.id, Event.object_id == event.object_id, earlier)
                         .limit(1))
        if self.session.scalars(open_delivery).first() is not None:
            return True
        undispatched = (select(Event.id).where(Event.team_id == event.team_id, Event.livemode == event.livemode,
                                               Event.dispatched_at.is_(None), Event.object_id == event.object_id,
                                               earlier).limit(1))
        return self.session.scalars(undispatched).first() is not None

    def first_open_of_object(self, team_id: str, livemode: bool, webhook_id: str, object_id: str) -> str | None:
        """The open delivery of this object's earliest event still to reach the webhook."""
        stmt = (self.scoped(team_id, livemode).join(Event, Event.id == WebhookDelivery.event_id)
                .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status.in_(_OPEN),
                       Event.object_id == object_id)
                .order_by(Event.created_at, Event.id).limit(1))
        found = self.session.scalars(stmt).first()
        return found.id if found is not None else None

    def of_event(self, event_id: str, team_id: str, livemode: bool) -> Sequence[WebhookDelivery]:
        return self.session.scalars(self.scoped(team_id, livemode).where(WebhookDelivery.event_id == event_id)).all()


class AttemptRepository(TeamScopedRepository[WebhookAttempt]):
    model = WebhookAttempt


@cache  # on the path of every event recorded: built once (see kit.repository)
def _an_active_one() -> Select[Any]:
    return select(Webhook.id).where(Webhook.team_id == bindparam("team_id"), Webhook.livemode == bindparam("livemode"),
                                    Webhook.status == "active").limit(1)
