"""The self-invoice page of a receipt (its `url`): `/autofactura?id=<receipt>&sig=<signature>`.

No API key: the signature is the capability (`receipts.links`). The customer sees the purchase, types
their fiscal data (checked as SAT checks a receiver, errors in Spanish next to each field; CFDI uses only
from the team's `uses_on_self_invoice_portal`; notes and a product code when the team allows them) and
gets the stamped invoice with its PDF and XML, also by e-mail. The client is found by RFC and updated,
or created. Submitting twice shows the same invoice. A cancelled, expired or invoiced receipt says so.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from timbre.auth.jobs import job_auth
from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import TimbreError
from timbre.invoices import files as invoice_files
from timbre.kit.clock import now_ms
from timbre.models import Invoice, Receipt, Team
from timbre.portal import fiscal_form
from timbre.receipts import stamp as stamp_use_case
from timbre.receipts.repository import ReceiptInvoiceRepository
from timbre.receipts.schemas import FiscalInformation, StampInput
from timbre.receipts.service import receipt as receipt_service

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
DOWNLOAD_TTL = 7 * 24 * 3600


def local_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, MEXICO_TZ).strftime("%d/%m/%Y")


def money(value: Decimal | str | None, currency: str) -> str:
    return f"${Decimal(value or 0):,.2f} {currency}"


def brand_context(team: Team) -> dict[str, Any]:
    brand = team.brand or {}
    return {"brand_name": brand.get("alias") or team.legal_name, "primary": brand.get("primary_color") or "#0F5BD8",
            "team": team}


def _message(request: Request, status: int, heading: str, message: str, team: Team | None = None,
             **extra: Any) -> HTMLResponse:
    context = {**(brand_context(team) if team else {}), "heading": heading, "message": message, **extra}
    return templates.TemplateResponse(request, "self_invoice_done.html", context, status_code=status)


def _settings(team: Team) -> dict[str, Any]:
    settings = team.settings or {}
    return {"uses": settings.get("uses_on_self_invoice_portal") or None,
            "notes": bool(settings.get("allow_notes_on_self_invoice")),
            "codes": (settings.get("allowed_product_codes") or []) if settings.get(
                "allow_product_code_on_self_invoice") else []}


def _form_page(request: Request, team: Team, receipt: Receipt, sig: str, *, status: int = 200,
               values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
               general: str | None = None) -> HTMLResponse:
    allowed = _settings(team)
    currency = receipt.currency
    items = [{"description": i.get("description"), "quantity": f"{Decimal(i.get('quantity') or 0).normalize():f}",
              "total": money(i.get("total"), currency)} for i in receipt.items or []]
    valid = local_day(receipt.valid_until)
    return templates.TemplateResponse(request, "self_invoice.html", {
        **brand_context(team), "receipt": receipt, "sig": sig, "items": items, "valid_until": valid,
        "subtotal": money(receipt.subtotal, currency),
        "taxes": money(receipt.taxes, currency) if receipt.taxes else None,
        "total": money(receipt.total, currency), "regimenes": fiscal_form.regimenes(),
        "usos": fiscal_form.usos(allowed["uses"]), "allow_notes": allowed["notes"], "codes": allowed["codes"],
        "values": values or {}, "errors": errors or {}, "general": general,
    }, status_code=status)


def _invoiced(request: Request, settings: Any, team: Team, invoice: Invoice, again: bool) -> HTMLResponse:
    links = invoice_files.links(settings, invoice, team, None, ttl=DOWNLOAD_TTL) if invoice.status in (
        "valid", "cancelled") and invoice.xml else {}
    heading = "Este recibo ya fue facturado" if again else "¡Tu factura está lista!"
    message = (f"Factura {invoice.series}-{invoice.folio_number}, folio fiscal {invoice.uuid}. "
               f"Receptor: {(invoice.client or {}).get('legal_name')} ({(invoice.client or {}).get('tax_id')}).")
    return _message(request, 200, heading, message, team, links=links, css="done")


def _state(request: Request, session: Any, settings: Any, team: Team, receipt: Receipt) -> HTMLResponse | None:
    """The page for a receipt that cannot be invoiced now (None when it can)."""
    if receipt.status == "cancelled":
        return _message(request, 410, "Recibo cancelado", "Este recibo fue cancelado y ya no se puede facturar. "
                        "Si crees que es un error, comunícate con el comercio.", team, css="error")
    if receipt.invoice_id:
        invoice = ReceiptInvoiceRepository.from_session(session).by_ids(
            receipt.team_id, receipt.livemode, [receipt.invoice_id]).get(receipt.invoice_id)
        if invoice is not None and invoice.status != "failed":
            return _invoiced(request, settings, team, invoice, True)
    if receipt.valid_until < now_ms():
        valid = local_day(receipt.valid_until)
        return _message(request, 410, "El plazo para facturar venció",
                        f"Este recibo se podía facturar hasta el {valid}. Comunícate con el comercio si aún "
                        "necesitas tu factura.", team, css="error")
    return None


def _load(session: Any, settings: Any, receipt_id: str, sig: str) -> tuple[Receipt, Team] | None:
    receipt = receipt_service.by_link(session, settings.secret(), receipt_id, sig)
    team = session.get(Team, receipt.team_id) if receipt is not None else None
    return None if receipt is None or team is None else (receipt, team)


def _not_found(request: Request) -> HTMLResponse:
    return _message(request, 404, "Enlace no válido", "Este enlace de facturación no existe o está incompleto.",
                    css="error")


@router.get("/autofactura", response_class=HTMLResponse)
def self_invoice_page(request: Request, session: SessionDep, settings: SettingsDep,
                      id: str = Query("", max_length=60), sig: str = Query("", max_length=100)) -> HTMLResponse:
    loaded = _load(session, settings, id, sig)
    if loaded is None:
        return _not_found(request)
    receipt, team = loaded
    return _state(request, session, settings, team, receipt) or _form_page(request, team, receipt, sig)


Field = Annotated[str, Form(max_length=300)]


@router.post("/autofactura", response_class=HTMLResponse)
def self_invoice_submit(request: Request, session: SessionDep, settings: SettingsDep,
                        id: Annotated[str, Form(max_length=60)] = "", sig: Annotated[str, Form(max_length=100)] = "",
                        tax_id: Field = "", legal_name: Field = "", tax_system: Field = "", zip: Field = "",
                        use: Field = "", email: Field = "", notes: Annotated[str, Form(max_length=1000)] = "",
                        product_key: Field = "") -> HTMLResponse:
    form = {"tax_id": tax_id, "legal_name": legal_name, "tax_system": tax_system, "zip": zip, "use": use,
            "email": email, "notes": notes, "product_key": product_key}
    return _submit(request, session, settings, id, sig, form)


def _values(data: fiscal_form.FiscalForm, form: dict[str, str]) -> dict[str, str]:
    return {**data.as_dict(), "notes": form.get("notes", ""), "product_key": form.get("product_key", "")}


def _submit(request: Request, session: Any, settings: Any, receipt_id: str, sig: str, form: Any) -> HTMLResponse:
    loaded = _load(session, settings, receipt_id, sig)
    if loaded is None:
        return _not_found(request)
    receipt, team = loaded
    blocked = _state(request, session, settings, team, receipt)
    if blocked is not None:
        return blocked
    data = fiscal_form.FiscalForm.from_form(form)
    allowed = _settings(team)
    errors = fiscal_form.errors(data, allowed["uses"])
    notes = str(form.get("notes") or "").strip()[:1000] if allowed["notes"] else None
    code = str(form.get("product_key") or "").strip()
    if allowed["codes"] and code and code not in {str(c.get("key")) for c in allowed["codes"]}:
        errors["product_key"] = "Elige una de las claves que ofrece el comercio."
    if errors:
        return _form_page(request, team, receipt, sig, status=400, values=_values(data, form), errors=errors)
    auth = job_auth(session, team.id, receipt.livemode, receipt.owner_id)
    assert auth is not None
    body = StampInput(fiscal_information=FiscalInformation(
        tax_id=data.tax_id, legal_name=data.legal_name, tax_system=data.tax_system, zip=data.zip, use=data.use,
        email=data.email), send_email=True)
    try:
        done = stamp_use_case.stamp(session, auth, settings, receipt, body, notes=notes or None,
                                    product_key=code or None)
    except TimbreError as exc:
        session.rollback()
        return _form_page(request, team, receipt, sig, status=400, values=_values(data, form),
                          general=f"No pudimos generar tu factura: {exc.detail or exc.message}")
    return _invoiced(request, settings, team, done.invoice, not done.created)
