"""Teams API (spec §2.6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AdminAuth, AuthContext, ReadAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.models import Team
from timbre.teams.schemas import (
    MemberInput,
    MemberOut,
    MemberRemove,
    SeriesCreate,
    SeriesOut,
    SeriesUpdate,
    TeamCreate,
    TeamOut,
    TeamSettingsInput,
    TeamUpdate,
)
from timbre.teams.series import series as series_service
from timbre.teams.service import team as team_service
from timbre.teams.service import wire_settings

router = APIRouter(prefix="/teams", tags=["Teams"], responses=ERROR_RESPONSES)


def _team(session: Session, auth: AuthContext, team_id: str) -> Team:
    return team_service.get(session, auth, team_id)


@router.get("", response_model=ListEnvelope[TeamOut])
def list_teams(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params)) -> dict[str, Any]:
    """List the teams of the caller's billing account (only its own team unless it is a Connect master team)."""
    page = team_service.list_teams(session, auth, params)
    data = [team_service.serialize(session, t, auth.livemode) for t in page.items]
    return listing("Teams retrieved successfully", data, next=page.next, has_more=page.has_more,
                   total=page.total, page=page.page, estimated=page.estimated)


@router.post("", status_code=201, response_model=Envelope[TeamOut])
def create_team(body: TeamCreate, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Create a team in the caller's billing account (gigstack Connect: keys of the master team only)."""
    created = team_service.create(session, auth, body, settings)
    data = team_service.serialize(session, created, auth.livemode)
    data["onboarding_url"] = team_service.onboarding_url(created, settings)[0] if body.generate_onboarding_url \
        else ""
    return ok("Team created successfully", data)


@router.get("/integrations", response_model=Envelope[dict[str, Any]])
def get_integrations(auth: ReadAuth) -> dict[str, Any]:
    """The integrations of the key's team (or `?team=`): `{name: {completed, category}}`."""
    return ok("Integrations retrieved successfully", team_service.integrations(auth.team))


@router.get("/{team_id}", response_model=Envelope[TeamOut])
def get_team(team_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a team."""
    return ok("Team retrieved successfully", team_service.serialize(session, _team(session, auth, team_id),
                                                                    auth.livemode))


@router.put("/{team_id}", response_model=Envelope[TeamOut])
def update_team(team_id: str, body: TeamUpdate, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Update a team's fiscal data, brand, contact and metadata."""
    updated = team_service.update(session, _team(session, auth, team_id), body)
    return ok("Team updated successfully", team_service.serialize(session, updated, auth.livemode))


@router.get("/{team_id}/settings", response_model=Envelope[dict[str, Any]])
def get_settings_(team_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a team's settings."""
    return ok("Team settings retrieved successfully", wire_settings(_team(session, auth, team_id).settings or {}))


@router.put("/{team_id}/settings", response_model=Envelope[TeamOut])
def update_settings(team_id: str, body: TeamSettingsInput, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Update settings (merged into the current ones); taxes, SAT codes and series are validated."""
    updated = team_service.update_settings(session, auth, _team(session, auth, team_id), body)
    return ok("Team settings updated successfully", team_service.serialize(session, updated, auth.livemode))


@router.get("/{team_id}/integrations", response_model=Envelope[dict[str, Any]])
def get_team_integrations(team_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """The integrations of a team."""
    return ok("Integrations retrieved successfully", team_service.integrations(_team(session, auth, team_id)))


@router.get("/{team_id}/series", response_model=Envelope[list[SeriesOut]])
def list_series(team_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """List the team's series with their folio counters per mode."""
    rows = series_service.list(session, _team(session, auth, team_id))
    return ok("Series retrieved successfully", [series_service.serialize(r) for r in rows])


@router.post("/{team_id}/series", status_code=201, response_model=Envelope[SeriesOut])
def create_series(team_id: str, body: SeriesCreate, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Create a series (alphanumeric, at most 10 characters); a duplicate is a 409 "Series conflict"."""
    row = series_service.create(session, _team(session, auth, team_id), body)
    return ok("Series created successfully", series_service.serialize(row))


@router.put("/{team_id}/series/{series}", response_model=Envelope[SeriesOut])
def update_series(team_id: str, series: str, body: SeriesUpdate, auth: AdminAuth,
                  session: SessionDep) -> dict[str, Any]:
    """Set a series' folio counters (`live`, `test`: the last folio used)."""
    row = series_service.update(session, _team(session, auth, team_id), series, body)
    return ok("Series updated successfully", series_service.serialize(row))


@router.post("/{team_id}/add-member", response_model=Envelope[list[MemberOut]])
def add_member(team_id: str, body: MemberInput, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Add a user of the billing account to the team with a role (default viewer); only a user with no right
    the key lacks, with a role no higher than the key's."""
    target = _team(session, auth, team_id)
    team_service.add_member(session, auth, target, body)
    return ok("Member added successfully", team_service.members(session, target))


@router.post("/{team_id}/remove-member", response_model=Envelope[list[MemberOut]])
def remove_member(team_id: str, body: MemberRemove, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Remove a member from the team (the last admin cannot be removed; only a user with no right the key
    lacks)."""
    target = _team(session, auth, team_id)
    team_service.remove_member(session, auth, target, body.id)
    return ok("Member removed successfully", team_service.members(session, target))


@router.delete("/{team_id}/members/{user_id}", response_model=Envelope[list[MemberOut]])
def delete_member(team_id: str, user_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Remove a member from the team (same as `remove-member`)."""
    target = _team(session, auth, team_id)
    team_service.remove_member(session, auth, target, user_id)
    return ok("Member removed successfully", team_service.members(session, target))


@router.get("/{team_id}/onboarding-url", response_model=Envelope[str])
def onboarding_url(team_id: str, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """A signed link (valid 7 days) to the team's onboarding page. Reading it writes nothing: earlier links keep
    working until they expire or `POST` renews the team's links."""
    url, _expires = team_service.onboarding_url(_team(session, auth, team_id), settings)
    return ok("Onboarding URL generated successfully", url)


@router.post("/{team_id}/onboarding-url", response_model=Envelope[str])
def renew_onboarding_url(team_id: str, auth: AdminAuth, session: SessionDep,
                         settings: SettingsDep) -> dict[str, Any]:
    """A new signed link (valid 7 days) to the team's onboarding page; every earlier link stops working."""
    url, _expires = team_service.renew_onboarding_url(session, _team(session, auth, team_id), settings)
    return ok("Onboarding URL generated successfully", url)


@router.delete("/{team_id}", response_model=Envelope[dict[str, Any]])
def delete_team(team_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Schedule the team for deletion in 30 days (refused if it has documents or completed integrations)."""
    target = team_service.delete(session, auth, _team(session, auth, team_id))
    data = {"id": target.id, "status": target.status, "scheduled_deletion": target.scheduled_deletion}
    return ok("Team scheduled for deletion", data)
