"""Teams use cases (spec §2.6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import BusinessRuleViolation, Conflict, Forbidden, NotFound, ValidationFailed
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit import jobs
from timbre.kit.clock import now_ms
from timbre.kit.crypto import derive_key, random_token
from timbre.kit.ids import new_id
from timbre.kit.numbers import number
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Membership, Team, User
from timbre.teams import deletion, settings_rules, tasks
from timbre.teams.repository import TeamRepository
from timbre.teams.schemas import (
    MemberInput,
    TeamCreate,
    TeamSettingsInput,
    TeamUpdate,
)
from timbre.teams.series import series as series_service
from timbre.users import permissions
from timbre.users.repository import UserRepository

DELETION_GRACE = timedelta(days=30)
ONBOARDING_TTL = timedelta(days=7)
INTEGRATIONS = {
    **dict.fromkeys(
        ("stripe", "mercadopago", "clip", "whmcs", "paypal", "openpay", "conekta", "bank", "shopify", "zapier",
         "airtable", "google_sheets"),
        "payments",
    ),
    "hilos": "messaging",
}
# A completed integration among these blocks deletion (spec: delete team).
BLOCKING_INTEGRATIONS = {
    "stripe", "mercadopago", "paypal", "openpay", "conekta", "clip", "bank", "shopify", "whmcs", "hilos",
}
NOT_FOUND = ("Team not found", "The specified team does not exist")


def _seconds(ms: Any) -> int | None:
    return ms // 1000 if isinstance(ms, int) else None


def sat_status(team: Team) -> dict[str, Any]:
    """`sat` as gigstack shows it (times in unix seconds), plus `test_csd`: the test-mode CSD in force
    was made by Timbre for the team's RFC on its first document (none was uploaded)."""
    sat = team.sat or {}
    return {"completed": bool(sat.get("completed")), "connected_at": _seconds(sat.get("connected_at")),
            "csd_expires_at": _seconds(sat.get("csd_expires_at")),
            "test_csd": bool(((sat.get("modes") or {}).get("test") or {}).get("test_csd"))}


def wire_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings as stored, with tax rates as JSON numbers (stored as exact decimal strings)."""
    shown = dict(settings)
    for key in ("taxes", "withholding_taxes", "taxes_usd"):
        if isinstance(shown.get(key), list):
            shown[key] = [{**tax, "rate": number(tax.get("rate") or 0)} if isinstance(tax, dict) else tax
                          for tax in shown[key]]
    return shown


class TeamService:
    # ---- reading -------------------------------------------------------------------------------
    def list_teams(self, session: Session, auth: AuthContext, params: ListParams) -> Page:
        repo = TeamRepository.from_session(session)
        only = None if auth.key_team.is_master else auth.key_team.id
        stmt = repo.visible(auth.billing_account_id, only=only)
        return paginate(session, stmt, Team, params, orderable={"name": Team.legal_name,
                                                                 "legal_name": Team.legal_name},
                        metadata_column=Team.metadata_)

    def get(self, session: Session, auth: AuthContext, team_id: str) -> Team:
        team = TeamRepository.from_session(session).get(team_id)
        if team is None or team.billing_account_id != auth.billing_account_id:
            raise NotFound(*NOT_FOUND)
        if team.id != auth.key_team.id and not auth.key_team.is_master:
            raise NotFound(*NOT_FOUND)
        return team

    def members(self, session: Session, team: Team) -> list[dict[str, str]]:
        rows = TeamRepository.from_session(session).members(team.id)
        return [{"id": u.id, "email": u.email, "role": m.role} for m, u in rows]

    def integrations(self, team: Team) -> dict[str, Any]:
        stored = team.integrations or {}
        return {
            name: {"completed": bool((stored.get(name) or {}).get("completed")), "category": category}
            for name, category in INTEGRATIONS.items()
        }

    def serialize(self, session: Session, team: Team, livemode: bool) -> dict[str, Any]:
        remaining = None if team.credit_limit is None else max(team.credit_limit - team.used_credits, 0)
        return {
            "id": team.id,
            "legal_name": team.legal_name,
            "name": (team.brand or {}).get("alias") or team.legal_name,
            "tax_id": team.tax_id,
            "tax_system": team.tax_system,
            "address": team.address or {},
            "brand": team.brand or {},
            "settings": wire_settings(team.settings or {}),
            "support_email": team.support_email,
            "support_phone": team.support_phone,
            "owner": team.owner_id,
            "members": self.members(session, team),
            "sat": sat_status(team),
            "integrations": self.integrations(team),
            "metadata": team.metadata_ or {},
            "status": team.status,
            "scheduled_deletion": team.scheduled_deletion,
            "credit_limit": team.credit_limit,
            "used_credits": team.used_credits,
            "credit_period_start": team.credit_period_start,
            # gigstack's CLI reads the remaining credits here; an unlimited team has none to count.
            "billing": {} if remaining is None else {"credits": remaining},
            "billing_account": team.billing_account_id,
            "is_master": team.is_master,
            "livemode": livemode,
            "created_at": team.created_at // 1000,
        }

    # ---- writing -------------------------------------------------------------------------------
    def create(self, session: Session, auth: AuthContext, body: TeamCreate, settings: Settings) -> Team:
        if not auth.key_team.is_master:
            raise Forbidden("Access denied", "Only keys of the billing account's master team create teams")
        settings_rules.check_team_fields(body.tax_id, body.tax_system)
        team = Team(
            id=new_id("team"),
            billing_account_id=auth.billing_account_id,
            legal_name=body.legal_name,
            tax_id=body.tax_id,
            tax_system=body.tax_system,
            brand=body.brand.model_dump(exclude_none=True) if body.brand else {"alias": body.legal_name},
            address=body.address.model_dump(exclude_none=True) if body.address else {},
            support_email=body.support_email,
            support_phone=body.support_phone,
            metadata_=body.metadata,
            owner_id=auth.user_id,
            credit_limit=body.credit_limit,
            credit_period_start=now_ms(),
            onboarding_nonce=random_token(12),
            settings={},
            integrations={},
            sat={},
        )
        repo = TeamRepository.from_session(session)
        repo.add(team)
        wanted: dict[str, str] = {}
        if body.add_master_team_members:
            for m, _u in repo.members(auth.key_team.id):
                wanted[m.user_id] = m.role
        for member in body.add_members:
            wanted[member.id] = member.role
        if auth.user_id and auth.user_id not in wanted:
            wanted[auth.user_id] = "admin"
        for user_id, role in wanted.items():
            self._add_membership(session, team, user_id, role, acting=auth)
        # Reported to the creating team (the Connect master, whose webhooks exist), in the key's mode.
        event_service.record(session, team_id=auth.key_team.id, livemode=auth.livemode, type=EventType.teams_created,
                             data=self.serialize(session, team, auth.livemode))
        return team

    def emit(self, session: Session, team: Team, livemode: bool, type: EventType) -> None:
        """Report a change of the team itself (SAT connected, a payment integration completed) to the team."""
        event_service.record(session, team_id=team.id, livemode=livemode, type=type,
                             data=self.serialize(session, team, livemode))

    def update(self, session: Session, team: Team, body: TeamUpdate) -> Team:
        data = body.model_dump(exclude_unset=True)
        settings_rules.check_team_fields(data.get("tax_id"), data.get("tax_system"))
        for field in ("legal_name", "tax_id", "tax_system", "support_email", "support_phone", "credit_limit"):
            if field in data:
                setattr(team, field, data[field])
        if body.brand is not None:
            team.brand = {**(team.brand or {}), **body.brand.model_dump(exclude_none=True)}
        if body.address is not None:
            team.address = {**(team.address or {}), **body.address.model_dump(exclude_none=True)}
        if body.metadata is not None:
            team.metadata_ = {k: v for k, v in {**(team.metadata_ or {}), **body.metadata}.items() if v is not None}
        session.flush()
        return team

    def update_settings(self, session: Session, auth: AuthContext, team: Team, body: TeamSettingsInput) -> Team:
        dumped = body.model_dump(mode="json", exclude_none=True)
        data = {key: dumped.get(key) for key in body.model_fields_set}
        settings_rules.check_settings(data)
        merged = dict(team.settings or {})
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        if isinstance(merged.get("periodicity"), str):
            merged["periodicity"] = {"label": settings_rules.PERIODICITY_LABELS[merged["periodicity"]],
                                     "value": merged["periodicity"]}
        series_service.apply_defaults(session, team, merged.get("default_series") or {}, data)
        team.settings = merged
        session.flush()
        return team

    # ---- members -------------------------------------------------------------------------------
    def add_member(self, session: Session, auth: AuthContext, team: Team, body: MemberInput) -> None:
        if TeamRepository.from_session(session).membership(team.id, body.id) is not None:
            raise Conflict("Member already in team", "User is already a member of this team")
        self._add_membership(session, team, body.id, body.role, acting=auth)

    def _add_membership(self, session: Session, team: Team, user_id: str, role: str,
                        acting: AuthContext | None = None) -> None:
        """Add a member; on behalf of a key (`acting`), only a user with no right the key lacks, with a role no
        higher than the key's (see `users.permissions`)."""
        user = session.get(User, user_id)
        if user is None or user.billing_account_id != team.billing_account_id:
            raise NotFound("User not found", f"User {user_id} does not exist in this billing account")
        if acting is not None:
            permissions.require_covers(acting, [*UserRepository.from_session(session).memberships(user_id),
                                                (team.id, role)])
        try:
            with session.begin_nested():
                session.add(Membership(id=new_id("member"), team_id=team.id, user_id=user_id, role=role))
                session.flush()
        except IntegrityError:
            raise Conflict("Member already in team", "User is already a member of this team") from None

    def remove_member(self, session: Session, auth: AuthContext, team: Team, user_id: str) -> None:
        repo = TeamRepository.from_session(session)
        membership = repo.membership(team.id, user_id)
        if membership is None:
            raise NotFound("Member not found", "User is not a member of this team")
        permissions.require_covers(auth, UserRepository.from_session(session).memberships(user_id))
        admins = [m for m, _u in repo.members(team.id) if m.role == "admin"]
        if membership.role == "admin" and len(admins) == 1:
            raise BusinessRuleViolation("Cannot remove member", "A team must keep at least one admin")
        repo.delete(membership)

    # ---- onboarding ----------------------------------------------------------------------------
    def onboarding_url(self, team: Team, settings: Settings) -> tuple[str, int]:
        """A signed link to our onboarding page, valid until it expires or the team's links are renewed. Signing
        is stateless: reading a link writes nothing."""
        expires = datetime.now(UTC) + ONBOARDING_TTL
        token = jwt.encode(
            {"team": team.id, "nonce": team.onboarding_nonce, "exp": expires, "typ": "onboarding"},
            derive_key(settings.secret(), "onboarding"),
            algorithm="HS256",
        )
        return f"{settings.public_url.rstrip('/')}/onboarding/{token}", int(expires.timestamp() * 1000)

    def renew_onboarding_url(self, session: Session, team: Team, settings: Settings) -> tuple[str, int]:
        """A new link; every link issued before it stops working."""
        team.onboarding_nonce = random_token(12)
        session.flush()
        return self.onboarding_url(team, settings)

    # ---- deletion ------------------------------------------------------------------------------
    def delete(self, session: Session, auth: AuthContext, team: Team) -> Team:
        if team.status == "pending_deletion":
            raise Conflict("Team already scheduled for deletion", "This team is already pending deletion")
        if team.is_master:
            raise BusinessRuleViolation("Cannot delete team", "The master team of a billing account cannot be deleted")
        blocking = [n for n in BLOCKING_INTEGRATIONS if (team.integrations.get(n) or {}).get("completed")]
        if blocking:
            raise BusinessRuleViolation(
                "Cannot delete team", f"Team has completed integrations: {', '.join(sorted(blocking))}"
            )
        if deletion.has_documents(session, team):
            raise BusinessRuleViolation("Cannot delete team", "Team has invoices, payments or receipts")
        now = now_ms()
        due = now + int(DELETION_GRACE.total_seconds() * 1000)
        team.status = "pending_deletion"
        team.scheduled_deletion = {"date": due, "flagged_at": now, "flagged_by": auth.user_id or auth.key.id}
        session.flush()
        jobs.enqueue(session, tasks.hard_delete_team, team.id, eta=datetime.fromtimestamp(due / 1000, UTC))
        return team


def validation_error(message: str, details: list[dict[str, str]]) -> ValidationFailed:
    return ValidationFailed(message, "; ".join(d["message"] for d in details), details=details)


team = TeamService()
