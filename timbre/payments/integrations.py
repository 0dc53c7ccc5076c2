"""How a team gets paid through its hosted payment page: bank-transfer details and a card processor
(`PATCH /teams/{id}/integrations/{provider}/settings`, the route gigstack's newer CLI uses).

Timbre does not talk to card processors (no network in its promise): a processor's settings hold the
team's own checkout link, which the page offers for card payments; the payment is then marked as paid
(`POST /payments/{id}/paid`). The settings are stored in the team's `integrations[provider]`, which
`completed` marks as set up.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from pydantic import Field, HttpUrl, ValidationError, field_validator

from timbre.auth.dependencies import AdminAuth
from timbre.deps import SessionDep
from timbre.errors import ERROR_RESPONSES, NotFound, UnprocessableEntity, validation_details
from timbre.events.types import EventType
from timbre.kit.envelope import Envelope, ok
from timbre.payments.links import CARD_PROCESSORS
from timbre.schemas import Strict
from timbre.teams.service import team as team_service

router = APIRouter(prefix="/teams", tags=["Teams"], responses=ERROR_RESPONSES)
_CLABE_WEIGHTS = (3, 7, 1) * 6


def clabe_is_valid(clabe: str) -> bool:
    """An 18-digit CLABE whose last digit is Banxico's check digit (weights 3, 7, 1; modulo 10)."""
    if not re.fullmatch(r"[0-9]{18}", clabe):
        return False
    total = sum(int(d) * w % 10 for d, w in zip(clabe[:17], _CLABE_WEIGHTS, strict=False))
    return (10 - total % 10) % 10 == int(clabe[17])


class BankSettings(Strict):
    """Where the payer sends a transfer (SPEI)."""

    enabled: bool = True
    bank_name: str = Field(..., min_length=1, max_length=120)
    account_holder: str = Field(..., min_length=1, max_length=300)
    clabe: str = Field(..., description="18-digit CLABE (its check digit is verified)")
    account_number: str | None = Field(None, max_length=30)
    instructions: str | None = Field(None, max_length=1000)

    @field_validator("clabe")
    @classmethod
    def _clabe(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not clabe_is_valid(value):
            raise ValueError("must be an 18-digit CLABE with a valid check digit")
        return value


class CardProcessorSettings(Strict):
    enabled: bool = True
    checkout_url: HttpUrl | None = Field(None, description="The team's checkout link at the processor (https)")

    @field_validator("checkout_url")
    @classmethod
    def _https(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is not None and value.scheme != "https":
            raise ValueError("must be an https URL")
        return value


_COMPLETED_EVENTS = {"stripe": EventType.teams_stripe_completed, "openpay": EventType.teams_openpay_completed}


def _settings_for(provider: str, body: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    if provider == "bank":
        bank = BankSettings.model_validate(body)
        return bank.enabled, bank.model_dump(exclude={"enabled"}, exclude_none=True)
    card = CardProcessorSettings.model_validate(body)
    return card.enabled, card.model_dump(mode="json", exclude={"enabled"}, exclude_none=True)


@router.patch("/{team_id}/integrations/{provider}/settings", response_model=Envelope[dict[str, Any]])
def update_integration_settings(team_id: str, provider: str, body: dict[str, Any], auth: AdminAuth,
                                session: SessionDep) -> dict[str, Any]:
    """Set up how the team's hosted payment page takes payments. `bank`: `{bank_name, account_holder,
    clabe, account_number?, instructions?}`; a card processor (`stripe`, `conekta`, `openpay`,
    `mercadopago`, `clip`, `paypal`): `{checkout_url}`. `enabled: false` turns it off."""
    if provider != "bank" and provider not in CARD_PROCESSORS:
        raise NotFound("Integration not found", f"Payment integrations are bank, {', '.join(CARD_PROCESSORS)}")
    target = team_service.get(session, auth, team_id)
    try:
        enabled, settings = _settings_for(provider, body)
    except ValidationError as exc:
        details = validation_details(list(exc.errors()))
        raise UnprocessableEntity("Invalid request body", "; ".join(d["message"] for d in details),
                                  details=details) from None
    integrations = dict(target.integrations or {})
    newly_completed = enabled and not (integrations.get(provider) or {}).get("completed")
    integrations[provider] = {**(integrations.get(provider) or {}), "completed": enabled,
                              "category": "payments", "settings": settings}
    target.integrations = integrations
    if newly_completed and provider in _COMPLETED_EVENTS:
        team_service.emit(session, target, auth.livemode, _COMPLETED_EVENTS[provider])
    return ok("Integration settings updated successfully", {"provider": provider, "completed": enabled,
                                                             "settings": settings})
