"""The invoice as the API shows it (spec §2.3 "Invoice output"), plus the fields gigstack's CLI reads.

Amounts are stored as exact decimals and written as JSON numbers (gigstack shows `total: 1160.0`);
the conversion happens here, once, for output only.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from timbre.cfdi.pdf import sat
from timbre.invoices.repository import ListedInvoice
from timbre.kit.numbers import number
from timbre.models import Invoice

Listed: TypeAlias = Invoice | ListedInvoice  # both read alike; lists build no ORM objects

_ITEM_AMOUNTS = ("quantity", "unit_price", "unit_price_before_taxes", "discount", "amount", "subtotal", "total")


def item_output(item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    for key in _ITEM_AMOUNTS:
        if key in out:
            out[key] = number(out[key])
    out["taxes"] = [{**tax, "rate": number(tax.get("rate") or "0")} for tax in item.get("taxes") or []]
    return out


def verification_url(invoice: Listed) -> str | None:
    """SAT's public verification link: the very string the printed QR code holds (Anexo 20's format)."""
    stamp = invoice.stamp or {}
    if not invoice.uuid or not stamp.get("sello"):
        return None
    return sat.verification_url(uuid=invoice.uuid, rfc_emisor=str(stamp.get("rfc_emisor", "")),
                                rfc_receptor=str((invoice.client or {}).get("tax_id", "")), total=invoice.total,
                                sello=str(stamp["sello"]))


def serialize(invoice: Listed, *, files: dict[str, str] | None = None,
              cancellation_receipt: str | None = None, complements: list[str] | None = None,
              emails: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    client = invoice.client or {}
    stamp = invoice.stamp or None
    data: dict[str, Any] = {
        "id": invoice.id,
        "uuid": invoice.uuid,
        "livemode": invoice.livemode,
        "invoice_type": invoice.invoice_type,
        "status": invoice.status,
        "series": invoice.series,
        "folio_number": invoice.folio_number,
        "client": {key: client.get(key) for key in ("id", "name", "legal_name", "tax_id", "tax_system", "email",
                                                    "zip", "country", "use")},
        "items": [item_output(item) for item in invoice.items or []],
        "subtotal": number(invoice.subtotal),
        "discount": number(invoice.discount),
        "taxes": number(invoice.taxes_transferred),
        "taxes_withheld": number(invoice.taxes_withheld),
        "total": number(invoice.total),
        "currency": invoice.currency,
        "exchange_rate": number(invoice.exchange_rate),
        "payment_form": invoice.payment_form,
        "payment_method": invoice.payment_method,
        "use": invoice.use,
        "exports": invoice.exports,
        "automation_type": invoice.automation_type,
        "last_balance": number(invoice.last_balance),
        "payment_complements": complements or [],
        "related_documents": invoice.related_documents or [],
        "global": invoice.global_,
        "invoice_pdf_notes": invoice.pdf_notes,
        "metadata": invoice.metadata_ or {},
        "issued_at": invoice.issued_at,
        "stamp": None if stamp is None else {
            key: stamp.get(key) for key in ("stamp_at", "sello", "sello_sat", "no_certificado", "no_certificado_sat",
                                            "rfc_prov_certif", "fecha_timbrado")},
        "verification_url": verification_url(invoice),
        "cancellation_status": invoice.cancellation_status,
        "cancellation_receipt": cancellation_receipt,
        "emails": emails or [],
        "cancellation": invoice.cancellation,
        "sat_status": invoice.sat_status,
        "error": invoice.error,
        "pac": invoice.pac or None,
        "owner": invoice.owner_id,
        "team": invoice.team_id,
        "created_at": invoice.created_at // 1000,
        "updated_at": invoice.updated_at // 1000,
    }
    if files is not None:
        data["files"] = files
    return data
