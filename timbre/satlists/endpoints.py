"""SAT's taxpayer lists (articles 69, 69-B and 69-B Bis): which are loaded, and which an RFC is on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from timbre.auth.dependencies import ReadAuth
from timbre.deps import SessionDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.satlists.schemas import RFC_PATTERN
from timbre.satlists.service import sat_lists

router = APIRouter(prefix="/sat-lists", tags=["SAT lists"], responses=ERROR_RESPONSES)


@router.get("", response_model=ListEnvelope[dict[str, Any]])
def list_sat_lists(auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """The lists loaded (`timbre sat-lists import`): their article, the SAT file they came from, when it
    was imported and how many taxpayers each holds."""
    found = sat_lists.lists(session)
    return listing("SAT lists retrieved successfully", found, next=None, has_more=False, total=len(found))


@router.get("/check", response_model=Envelope[dict[str, Any]])
def check_rfc(auth: ReadAuth, session: SessionDep,
              rfc: str = Query(..., pattern=RFC_PATTERN, description="The RFC to look up")) -> dict[str, Any]:
    """Every SAT list the RFC is on, with its situation and SAT's publication (`listed: false` when none)."""
    return ok("SAT lists checked successfully", sat_lists.check(session, rfc))
