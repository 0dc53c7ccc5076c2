"""The wire shape of a mirrored CFDI (`SatInvoice`), as `GET /v2/invoices/sat` returns it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from timbre.kit.numbers import number
from timbre.models import SatInvoice
from timbre.satmirror.read import MEXICO, Summary


def local_iso(ms: int | None) -> str | None:
    """Milliseconds as SAT writes dates: Mexico City wall clock, ISO, seconds."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, MEXICO).replace(tzinfo=None).isoformat(timespec="seconds")


def serialize(row: SatInvoice | Row[Any]) -> dict[str, Any]:
    """A mirrored CFDI (an ORM object, or a row of its columns) on the wire."""
    return {
        "id": row.id,
        "uuid": row.uuid,
        "direction": row.direction,
        "invoice_type": row.invoice_type,
        "version": row.version,
        "issuer": {"rfc": row.issuer_rfc, "name": row.issuer_name},
        "receiver": {"rfc": row.receiver_rfc, "name": row.receiver_name},
        "total": number(row.total),
        "currency": row.currency,
        "status": row.status,
        "resource_status": row.resource_status,
        "issue_date": local_iso(row.issued_at),
        "certified_at": local_iso(row.certified_at),
        "cancelled_at": local_iso(row.cancelled_at),
        "pac_rfc": row.pac_rfc,
        "has_xml": row.resource_status == "xml_downloaded",
        "verification": row.verification,
        "source": row.source,
        **{key: value for key, value in (row.details or {}).items() if key in ("series", "folio", "payments")},
        "livemode": row.livemode,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def serialize_summary(summary: Summary) -> dict[str, Any]:
    """What a CFDI says of itself (for a CFDI that is not stored)."""
    return {
        "uuid": summary.uuid, "version": summary.version, "invoice_type": summary.invoice_type,
        "issuer": {"rfc": summary.issuer_rfc, "name": summary.issuer_name},
        "receiver": {"rfc": summary.receiver_rfc, "name": summary.receiver_name},
        "total": number(summary.total), "currency": summary.currency, "issue_date": local_iso(summary.issued_at),
        "certified_at": local_iso(summary.certified_at), "pac_rfc": summary.pac_rfc,
    }
