"""The hosted payment page of a payment link (`short_url`): `/pay/<token>`.

It shows the team's brand, the items and totals, the payment's status, and how to pay with what the
team has set up for the allowed methods: the bank-transfer details (with the reference to write in
the transfer) and/or the card processor's checkout. The payer can report a transfer they sent
(`processing` until the team marks the payment as paid). An unknown token is a 404 page.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from timbre.deps import SessionDep
from timbre.models import Payment, Team
from timbre.payments import lifecycle, links
from timbre.payments.service import payment as payment_service

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATUS_TEXT = {
    "pending": "Pendiente de pago", "requires_payment_method": "Pendiente de pago",
    "processing": "Recibimos tu aviso de transferencia; el pago se confirmará en cuanto se acredite",
    "succeeded": "Pagado", "failed": "El último intento de pago falló", "cancelled": "Este cobro fue cancelado",
    "refunded": "Este pago fue reembolsado",
}


def money(value: Decimal | str | None, currency: str) -> str:
    return f"${Decimal(value or 0):,.2f} {currency}"


def _context(team: Team, payment: Payment) -> dict[str, Any]:
    brand = team.brand or {}
    how = links.how_to_pay(team, payment)
    currency = payment.currency
    items = [{"description": item.get("description"), "quantity": f"{Decimal(item.get('quantity') or 0).normalize():f}",
              "unit_price": money(item.get("unit_price"), currency), "total": money(item.get("total"), currency)}
             for item in payment.items or []]
    return {
        "brand_name": brand.get("alias") or team.legal_name, "primary": brand.get("primary_color") or "#0F5BD8",
        "team": team, "payment": payment, "items": items, "subtotal": money(payment.subtotal, currency),
        "discount": money(payment.discount, currency) if payment.discount else None,
        "taxes": money(payment.taxes, currency) if payment.taxes else None,
        "withheld": money(payment.taxes_withheld, currency) if payment.taxes_withheld else None,
        "total": money(payment.total, currency), "status_text": STATUS_TEXT.get(payment.status, payment.status),
        "payable": payment.status in ("pending", "requires_payment_method"), "bank": how.bank, "card": how.card,
        "reference": how.reference,
    }


def _not_found(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "message.html", {
        "heading": "Enlace no válido", "message": "Este enlace de pago no existe o ya no es válido.", "css": "error",
    }, status_code=404)


@router.get("/pay/{token}", response_class=HTMLResponse)
def payment_page(token: str, request: Request, session: SessionDep) -> Response:
    payment = payment_service.by_link(session, token)
    team = session.get(Team, payment.team_id) if payment is not None else None
    if payment is None or team is None:
        return _not_found(request)
    return templates.TemplateResponse(request, "payment.html", _context(team, payment))


@router.post("/pay/{token}/transfer", response_class=HTMLResponse)
def report_transfer(token: str, request: Request, session: SessionDep,
                    reference: Annotated[str, Form(max_length=100)] = "") -> Response:
    payment = payment_service.by_link(session, token)
    if payment is None:
        return _not_found(request)
    lifecycle.payer_notice(session, payment, reference.strip() or None)
    return RedirectResponse(f"/pay/{token}", status_code=303)
