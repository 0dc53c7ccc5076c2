"""A stored retention → the spec's response object (§2.10)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from timbre.models import Retention

VERIFY_URL = "https://prodretencionverificacion.clouda.sat.gob.mx/"
STATUS = {"valid": "valid", "canceled": "canceled", "pending": "pending", "failed": "failed"}


def _money(value: Decimal | None) -> float | None:
    # JSON numbers as the spec shows them; Decimal → str → float keeps the cents exact for 2 decimals.
    return None if value is None else float(str(value))


def serialize(r: Retention) -> dict[str, Any]:
    stamp = r.stamp or {}
    return {
        "id": r.id,
        "uuid": r.uuid,
        "status": STATUS.get(r.status, r.status),
        "document_type": "retenciones",
        "retention_key": r.retention_key,
        "description": r.description,
        "folio_number": str(r.folio_number),
        "series": r.series,
        "client_id": r.client_id,
        "issuer": r.issuer,
        "receiver": r.receiver,
        "period": r.period,
        "currency": r.currency,
        "exchange_rate": _money(r.exchange_rate),
        "totals": {
            "total_operation": _money(r.total_operation),
            "total_taxable": _money(r.total_taxable),
            "total_exempt": _money(r.total_exempt),
            "total_retained": _money(r.total_retained),
            "tax_retained": r.taxes,
        },
        "complement": r.complement,
        "stamp": {"uuid": r.uuid, "stamped_at": stamp.get("stamped_at"), "provider": r.pac} if r.uuid else None,
        "verification_url": _verification_url(r),
        "error": r.error,
        "cancellation": r.cancellation,
        "livemode": r.livemode,
        "created_at": r.created_at,
    }


def _verification_url(r: Retention) -> str | None:
    if not r.uuid:
        return None
    receiver = r.receiver or {}
    return (f"{VERIFY_URL}?id={r.uuid}&re={(r.issuer or {}).get('tax_id', '')}"
            f"&rr={receiver.get('tax_id') or ''}&tt={r.total_operation}")
