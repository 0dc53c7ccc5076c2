"""`POST /clients/customerportal`: a signed link to the client's customer portal, valid 5 days.

The link is `<TIMBRE_PUBLIC_URL>/portal/<slug>?token=<jwt>`: `slug` is the team's
`settings.customer_portal_id` when set (else the team id), and the page refuses a token shown under
another slug; the token (HS256, key derived from the server secret) names the team, mode and client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import APIRouter
from pydantic import Field, model_validator
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext, WriteAuth
from timbre.clients.repository import ClientRepository
from timbre.clients.service import client as client_service
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, Conflict, NotFound
from timbre.kit.crypto import derive_key
from timbre.kit.envelope import Envelope, ok
from timbre.models import Client, Team
from timbre.schemas import Email, Strict

LIFETIME = timedelta(days=5)
CLAIM_TYP = "customer_portal"
router = APIRouter(prefix="/clients", tags=["Clients"], responses=ERROR_RESPONSES)


class PortalRequest(Strict):
    """`{id}` or `{email}` of the client."""

    id: str | None = Field(None, max_length=60)
    email: Email | None = None

    @model_validator(mode="after")
    def _one(self) -> PortalRequest:
        if not self.id and not self.email:
            raise ValueError("give the client's id or email")
        return self


@dataclass(frozen=True, slots=True)
class PortalClaims:
    team_id: str
    livemode: bool
    client_id: str


def slug(team: Team) -> str:
    return str((team.settings or {}).get("customer_portal_id") or team.id)


def _key(secret: str) -> bytes:
    return derive_key(secret, "customer-portal")


def issue(secret: str, public_url: str, team: Team, livemode: bool, client: Client) -> dict[str, Any]:
    expires = datetime.now(UTC) + LIFETIME
    token = jwt.encode({"typ": CLAIM_TYP, "team": team.id, "live": livemode, "client": client.id,
                        "exp": int(expires.timestamp())}, _key(secret), algorithm="HS256")
    return {"url": f"{public_url.rstrip('/')}/portal/{slug(team)}?token={token}",
            "expires_at": int(expires.timestamp()), "client_id": client.id}


def verify(secret: str, token: str) -> PortalClaims | None:
    try:
        claims = jwt.decode(token, _key(secret), algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != CLAIM_TYP or not isinstance(claims.get("client"), str):
        return None
    return PortalClaims(str(claims.get("team")), bool(claims.get("live")), claims["client"])


def _client(session: Session, auth: AuthContext, body: PortalRequest) -> Client:
    if body.id:
        return client_service.get(session, auth, body.id)
    assert body.email is not None
    matches = ClientRepository.from_session(session).matching(auth.team_id, auth.livemode, "email", body.email)
    if not matches:
        raise NotFound("Client not found", f"No client has the e-mail {body.email}")
    if len(matches) > 1:
        raise Conflict("Several clients have this e-mail", "Give the client's id instead",
                       details=[m.id for m in matches])
    return matches[0]


@router.post("/customerportal", response_model=Envelope[dict[str, Any]])
def customer_portal(body: PortalRequest, auth: WriteAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """A link to the client's customer portal (`data.url`, valid 5 days until `data.expires_at`, unix
    seconds): the client's invoices, payment complements, receipts and payments with their PDF and XML,
    paying a pending payment, and correcting their fiscal data. No API key is needed to open it."""
    found = _client(session, auth, body)
    return ok("Customer portal link generated", issue(settings.secret(), settings.public_url, auth.team,
                                                       auth.livemode, found))
