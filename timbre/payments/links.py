"""Payment links: `short_url` (our hosted page, `<TIMBRE_PUBLIC_URL>/pay/<token>`) and what the page
shows — the charge, and how to pay it with what the team has set up (`integrations`).

The token is a random 22-character capability: it lets its holder see the charge and report a
transfer, nothing else, and it must stay printable in `short_url`, so it is stored as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timbre.kit.crypto import random_token
from timbre.models import Payment, Team

BANK_METHODS = ("bank", "spei")
CARD_METHODS = ("card", "oxxo", "stripe-spei")
CARD_PROCESSORS = ("stripe", "conekta", "openpay", "mercadopago", "clip", "paypal")
PROCESSOR_NAMES = {"stripe": "Stripe", "conekta": "Conekta", "openpay": "Openpay", "mercadopago": "Mercado Pago",
                   "clip": "Clip", "paypal": "PayPal"}


def new_token() -> str:
    return random_token(16)[:22]


def short_url(public_url: str, payment: Payment) -> str | None:
    if not payment.link_token:
        return None
    return f"{public_url.rstrip('/')}/pay/{payment.link_token}"


def _configured(team: Team, name: str) -> dict[str, Any] | None:
    entry = (team.integrations or {}).get(name) or {}
    return entry.get("settings") if entry.get("completed") and isinstance(entry.get("settings"), dict) else None


def bank_settings(team: Team) -> dict[str, Any] | None:
    return _configured(team, "bank")


def card_processor(team: Team) -> tuple[str, dict[str, Any]] | None:
    """The first card processor the team has set up, with its settings."""
    for name in CARD_PROCESSORS:
        settings = _configured(team, name)
        if settings is not None:
            return name, settings
    return None


def available_methods(team: Team) -> list[str]:
    """The default `allowed_payment_methods`: transfer when the team has bank details, card when it has a
    card processor (a transfer when it has neither: the page then points to the team's contact)."""
    methods = []
    if card_processor(team) is not None:
        methods.append("card")
    if bank_settings(team) is not None or not methods:
        methods.append("bank")
    return methods


@dataclass(frozen=True, slots=True)
class HowToPay:
    """The payment options the hosted page offers."""

    bank: dict[str, Any] | None
    card: dict[str, Any] | None
    reference: str


def how_to_pay(team: Team, payment: Payment) -> HowToPay:
    allowed = set(payment.allowed_payment_methods or [])
    bank = bank_settings(team) if allowed & set(BANK_METHODS) else None
    card = None
    if allowed & set(CARD_METHODS) and (found := card_processor(team)) is not None:
        name, settings = found
        card = {"processor": name, "name": PROCESSOR_NAMES[name], "checkout_url": settings.get("checkout_url"),
                "methods": sorted(allowed & set(CARD_METHODS))}
    # The reference the payer writes in the transfer's concept, so the team can match it.
    return HowToPay(bank=bank, card=card, reference=payment.id.removeprefix("payment_"))
