"""The customer portal (`POST /v2/clients/customerportal` gives its link): `/portal/<slug>?token=…`.

The client sees their invoices, payment complements, receipts and payments, downloads each document's
PDF and XML (through `/portal/<slug>/files/<id>/<kind>`, which checks the document is theirs and
redirects to a short-lived signed link), pays a pending payment through its payment link, and corrects
their fiscal data (validated as the self-invoice form). An expired or foreign token is a 410 page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.clients import portal_access
from timbre.clients.repository import ClientRepository
from timbre.clients.schemas import ClientUpdate
from timbre.clients.service import client as client_service
from timbre.config import Settings
from timbre.deps import SessionDep, SettingsDep
from timbre.invoices import files as invoice_files
from timbre.models import Client, Team
from timbre.payments import links as payment_links
from timbre.portal import fiscal_form
from timbre.portal.repository import ClientInvoiceRepository, ClientPaymentRepository, ClientReceiptRepository
from timbre.portal.selfinvoice import brand_context, money
from timbre.receipts import files as receipt_files
from timbre.receipts import links as receipt_links
from timbre.receipts.output import status_of

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
KINDS = {"I": "Factura", "E": "Nota de crédito", "P": "Complemento de pago"}
STATUS = {"valid": "Vigente", "cancelled": "Cancelada", "pending": "Pendiente", "invoiced": "Facturado",
          "completed": "En factura global", "expired": "Vencido", "succeeded": "Pagado", "processing": "En proceso",
          "requires_payment_method": "Pendiente", "failed": "Fallido", "refunded": "Reembolsado"}
Token = Annotated[str, Query(max_length=2000)]


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, MEXICO_TZ).strftime("%d/%m/%Y")


def _gone(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "message.html", {
        "heading": "Enlace no válido", "message": "Este enlace al portal venció o no es válido. Pide uno nuevo al "
        "comercio.", "css": "error"}, status_code=410)


def _load(session: Session, settings: Settings, slug: str, token: str) -> tuple[Team, Client] | None:
    claims = portal_access.verify(settings.secret(), token)
    team = session.get(Team, claims.team_id) if claims is not None else None
    if claims is None or team is None or portal_access.slug(team) != slug:
        return None
    client = ClientRepository.from_session(session).get_scoped(claims.client_id, team.id, claims.livemode)
    return None if client is None else (team, client)


def _documents(session: Session, settings: Settings, team: Team, client: Client, base: str) -> dict[str, Any]:
    invoices: list[dict[str, Any]] = []
    complements: list[dict[str, Any]] = []
    for inv in ClientInvoiceRepository.from_session(session).stamped_of_client(team.id, client.livemode, client.id):
        row = {"id": inv.id, "name": f"{inv.series}-{inv.folio_number}", "kind": KINDS.get(inv.invoice_type, ""),
               "uuid": inv.uuid, "date": _day(inv.created_at), "total": money(inv.total, inv.currency),
               "status": STATUS.get(inv.status, inv.status), "pdf": f"{base}/files/{inv.id}/pdf",
               "xml": f"{base}/files/{inv.id}/xml"}
        (complements if inv.invoice_type == "P" else invoices).append(row)
    receipts = [{"id": r.id, "name": f"{r.series}-{r.folio_number}", "date": _day(r.created_at),
                 "total": money(r.total, r.currency), "status": STATUS.get(status_of(r), status_of(r)),
                 "pdf": f"{base}/files/{r.id}/pdf",
                 "invoice_url": receipt_links.self_invoice_url(settings.public_url, settings.secret(), r)
                 if status_of(r) in ("pending", "completed") and not r.invoice_id else None}
                for r in ClientReceiptRepository.from_session(session).of_client(team.id, client.livemode, client.id)]
    payments = [{"id": p.id, "date": _day(p.created_at), "total": money(p.total, p.currency),
                 "status": STATUS.get(p.status, p.status),
                 "pay_url": payment_links.short_url(settings.public_url, p)
                 if p.status in ("pending", "requires_payment_method") else None}
                for p in ClientPaymentRepository.from_session(session).of_client(team.id, client.livemode, client.id)]
    return {"invoices": invoices, "complements": complements, "receipts": receipts, "payments": payments}


def _page(request: Request, session: Session, settings: Settings, team: Team, client: Client, slug: str,
          token: str, *, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, saved: bool = False) -> HTMLResponse:
    base = f"/portal/{quote(slug)}"
    current = {"tax_id": client.tax_id or "", "legal_name": client.legal_name or "",
               "tax_system": client.tax_system or "", "zip": str((client.address or {}).get("zip") or ""),
               "use": client.use or "", "email": client.email or ""}
    return templates.TemplateResponse(request, "customer_portal.html", {
        **brand_context(team), **_documents(session, settings, team, client, base), "client": client,
        "token": token, "query": f"?token={quote(token)}", "base": base, "values": values or current,
        "errors": errors or {}, "saved": saved, "regimenes": fiscal_form.regimenes(), "usos": fiscal_form.usos(None),
    }, status_code=status)


@router.get("/portal/{slug}", response_class=HTMLResponse)
def customer_portal(slug: str, request: Request, session: SessionDep, settings: SettingsDep, token: Token = "",
                    saved: bool = False) -> HTMLResponse:
    loaded = _load(session, settings, slug, token)
    if loaded is None:
        return _gone(request)
    return _page(request, session, settings, *loaded, slug, token, saved=saved)


@router.get("/portal/{slug}/files/{document_id}/{kind}")
def customer_portal_file(slug: str, document_id: str, kind: Literal["pdf", "xml"], request: Request,
                         session: SessionDep, settings: SettingsDep, token: Token = "") -> Response:
    loaded = _load(session, settings, slug, token)
    if loaded is None:
        return _gone(request)
    team, client = loaded
    for invoice in ClientInvoiceRepository.from_session(session).stamped_of_client(team.id, client.livemode,
                                                                                  client.id):
        if invoice.id == document_id:
            return RedirectResponse(invoice_files.links(settings, invoice, team, kind)[kind], status_code=303)
    for receipt in ClientReceiptRepository.from_session(session).of_client(team.id, client.livemode, client.id):
        if receipt.id == document_id and kind == "pdf":
            return RedirectResponse(receipt_files.pdf_link(settings, receipt, team), status_code=303)
    return templates.TemplateResponse(request, "message.html", {
        "heading": "Documento no encontrado", "message": "Ese documento no está en tu portal.", "css": "error"},
        status_code=404)


Field = Annotated[str, Form(max_length=300)]


@router.post("/portal/{slug}/fiscal", response_class=HTMLResponse)
def update_fiscal_data(slug: str, request: Request, session: SessionDep, settings: SettingsDep,
                       token: Annotated[str, Form(max_length=2000)] = "", tax_id: Field = "", legal_name: Field = "",
                       tax_system: Field = "", zip: Field = "", use: Field = "", email: Field = "") -> Response:
    loaded = _load(session, settings, slug, token)
    if loaded is None:
        return _gone(request)
    team, client = loaded
    data = fiscal_form.FiscalForm.from_form({"tax_id": tax_id, "legal_name": legal_name, "tax_system": tax_system,
                                             "zip": zip, "use": use, "email": email})
    errors = fiscal_form.errors(data, None)
    if errors:
        return _page(request, session, settings, team, client, slug, token, status=400, values=data.as_dict(),
                     errors=errors)
    client_service.update(session, client, ClientUpdate.model_validate({
        "tax_id": data.tax_id, "legal_name": data.legal_name, "tax_system": data.tax_system, "use": data.use,
        "email": data.email, "address": {"zip": data.zip, "country": "MEX"}}))
    return RedirectResponse(f"/portal/{quote(slug)}?token={quote(token)}&saved=true", status_code=303)

