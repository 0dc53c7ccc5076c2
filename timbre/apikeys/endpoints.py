"""API keys (Timbre extension; the key decides team and mode, so keys are listed per mode)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from timbre.apikeys.service import api_key as key_service
from timbre.auth.dependencies import AdminAuth
from timbre.auth.roles import Role
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, Forbidden
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.schemas import Strict

router = APIRouter(prefix="/api-keys", tags=["API keys"], responses=ERROR_RESPONSES)


class ApiKeyCreate(Strict):
    name: str = Field("", max_length=120)
    role: Literal["admin", "editor", "viewer"] = "admin"


class ApiKeyOut(BaseModel):
    id: str
    name: str
    role: str
    team: str
    livemode: bool
    last4: str
    revoked: bool
    revoked_at: int | None
    created_at: int
    key: str | None = None


@router.get("", response_model=ListEnvelope[ApiKeyOut])
def list_keys(auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """List the team's API keys of the caller's mode (never the secret)."""
    keys = [key_service.serialize(k) for k in key_service.list(session, auth.team_id, auth.livemode)]
    return listing("API keys retrieved successfully", keys, next=None, has_more=False, total=len(keys))


@router.post("", status_code=201, response_model=Envelope[ApiKeyOut])
def create_key(body: ApiKeyCreate, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Create an API key in the caller's mode. The key is returned once, in `data.key`."""
    if not auth.role.allows(Role(body.role)):
        raise Forbidden("Insufficient permissions", "A key cannot have a higher role than the key creating it")
    key, token = key_service.create(session, settings.secret(), team_id=auth.team_id, livemode=auth.livemode,
                                    role=body.role, name=body.name, created_by=auth.user_id)
    return ok("API key created successfully", {**key_service.serialize(key), "key": token})


@router.delete("/{key_id}", response_model=Envelope[ApiKeyOut])
def revoke_key(key_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Revoke an API key: it stops working at once."""
    key = key_service.revoke(session, key_id, team_id=auth.team_id, livemode=auth.livemode)
    return ok("API key revoked successfully", key_service.serialize(key))
