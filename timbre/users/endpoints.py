"""Users API (spec §2.7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from timbre.auth.dependencies import AdminAuth, ReadAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, NotFound
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.users.repository import UserRepository
from timbre.users.schemas import LinkOut, PasswordResetRequest, ResetOut, UserCreate, UserOut, UserUpdate
from timbre.users.service import user as user_service

router = APIRouter(prefix="/users", tags=["Users"], responses=ERROR_RESPONSES)


@router.get("", response_model=ListEnvelope[UserOut])
def list_users(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params)) -> dict[str, Any]:
    """List the users of the caller's billing account."""
    page = user_service.list_users(session, auth, params)
    data = [user_service.serialize(session, auth, u) for u in page.items]
    return listing("Users retrieved successfully", data, next=page.next, has_more=page.has_more, total=page.total,
                   page=page.page, estimated=page.estimated)


@router.post("", status_code=201, response_model=Envelope[UserOut])
def create_user(body: UserCreate, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Create a user; with `auto_join` it joins the key's team with `role` (default viewer). An invitation
    e-mail with a set-password link is sent."""
    created = user_service.create(session, auth, body, settings)
    data = user_service.serialize(session, auth, created)
    data["invitation_sent"] = True
    return ok("User created successfully", data)


@router.post("/reset-password", response_model=Envelope[ResetOut])
def reset_password_by_email(body: PasswordResetRequest, auth: AdminAuth, session: SessionDep,
                            settings: SettingsDep) -> dict[str, Any]:
    """Send a password-reset e-mail (single-use link, valid 1 hour) to a user of the billing account the key
    sees and has every right of."""
    found = UserRepository.from_session(session).by_email(body.email)
    if found is None or found.billing_account_id != auth.billing_account_id:
        raise NotFound("User not found", "No user with this e-mail in your billing account")
    target = user_service.get_to_act_on(session, auth, found.id)
    return ok("Password reset email sent", user_service.request_reset(session, target, settings))


@router.get("/{user_id}", response_model=Envelope[UserOut])
def get_user(user_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a user with their teams and roles."""
    return ok("User retrieved successfully", user_service.serialize(session, auth,
                                                                   user_service.get(session, auth, user_id)))


@router.put("/{user_id}", response_model=Envelope[UserOut])
def update_user(user_id: str, body: UserUpdate, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Update a user's profile (admin keys; only users with no right the key lacks)."""
    updated = user_service.update(session, user_service.get_to_act_on(session, auth, user_id), body)
    return ok("User updated successfully", user_service.serialize(session, auth, updated))


@router.post("/{user_id}/reset-password", response_model=Envelope[ResetOut])
def reset_password(user_id: str, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Send the user a password-reset e-mail (single-use link, valid 1 hour); only for users with no right the
    key lacks."""
    target = user_service.get_to_act_on(session, auth, user_id)
    return ok("Password reset email sent", user_service.request_reset(session, target, settings))


@router.post("/{user_id}/login-link", response_model=Envelope[LinkOut])
def login_link(user_id: str, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """A single-use sign-in link for the user, valid 15 minutes; only for users with no right the key lacks
    (no one may sign in as a user with more rights than their own)."""
    target = user_service.get_to_act_on(session, auth, user_id)
    return ok("Login link generated successfully", user_service.login_link(session, target, settings))
