"""The dry run of invoice creation (`POST /invoices/validate`): every violation, nothing spent or stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import ValidationFailed
from timbre.invoices.compose import InvoiceType, compose
from timbre.invoices.create import check_rules
from timbre.invoices.items import ItemResolver
from timbre.invoices.output import item_output
from timbre.invoices.schemas import InvoiceInput
from timbre.kit.numbers import number


def dry_run(session: Session, auth: AuthContext, settings: Settings, body: InvoiceInput) -> dict[str, Any]:
    """What `create` would say, without a folio, a credit, a seal or a PAC. Nothing is stored (clients or
    services a `search` would create are rolled back)."""
    kind: InvoiceType = body.invoice_type or "I"
    warnings = []
    try:
        composed = compose(session, auth, settings.secret(), body, kind, require_csd=False)
        if composed.credential is None:
            warnings.append("The team has no CSD in this mode yet: the certificate rules were not checked, and "
                            "stamping needs one (POST /v2/teams/{id}/sat-connection)")
        errors = check_rules(session, auth, composed)
        warnings += composed.warnings
    except ValidationFailed as exc:
        errors = exc.details if isinstance(exc.details, list) else [{"field": None, "message": exc.detail}]
        composed = None
    finally:
        session.rollback()
    preview = None
    if composed is not None:
        amounts = composed.amounts
        preview = {
            "invoice_type": kind, "series": composed.series, "currency": composed.data.moneda,
            "subtotal": number(amounts.subtotal), "discount": number(amounts.descuento or Decimal(0)),
            "taxes": number(amounts.total_impuestos_trasladados or Decimal(0)),
            "taxes_withheld": number(amounts.total_impuestos_retenidos or Decimal(0)),
            "total": number(amounts.total), "use": composed.data.receptor.uso_cfdi,
            "payment_method": composed.data.metodo_pago, "payment_form": composed.data.forma_pago,
            "client": composed.client_snapshot,
            "items": [item_output(ItemResolver.snapshot(line)) for line in composed.lines],
        }
    return {"valid": not errors, "errors": errors, "warnings": warnings, "invoice": preview}
