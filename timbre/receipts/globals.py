"""Global invoices (facturas globales) to público en general, per SAT's guía de llenado del CFDI global:

- Receptor: RFC XAXX010101000, nombre PUBLICO EN GENERAL, régimen 616, UsoCFDI S01, the issuer's zip
  as DomicilioFiscalReceptor; InformacionGlobal with the period's Periodicidad, Meses and Año.
- One Concepto per receipt: ClaveProdServ 01010101, Cantidad 1, ClaveUnidad ACT, Descripcion "Venta",
  the receipt's folio (series + number) in NoIdentificacion, ValorUnitario its amount before taxes,
  Descuento its discount, and its taxes. A receipt whose items have different taxes gets one Concepto
  per tax combination (same NoIdentificacion); where rounding the merged base would differ by a cent
  from the receipt's own taxes, its items stay separate, so the totals are always the receipts' sum.
- FormaPago: that of the largest receipt; MetodoPago PUE (a receipt is a sale already paid).

Exactly once: the receipts of one global invoice are locked and checked to be still unclaimed in the
transaction that reserves the invoice, and marked `completed` with its id there (`invoices.linked`);
a concurrent run (another worker, the endpoint) finds them claimed and builds its set again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi import taxes as engine
from timbre.config import Settings
from timbre.errors import BusinessRuleViolation, TimbreError
from timbre.events.types import EventType
from timbre.invoices.compose import PUBLICO_GENERAL_ID
from timbre.invoices.items import Line
from timbre.invoices.linked import create_linked
from timbre.invoices.schemas import InvoiceInput
from timbre.kit.clock import now_ms
from timbre.models import Invoice, Receipt
from timbre.receipts.create import team_periodicity
from timbre.receipts.events import emit
from timbre.receipts.periods import Period, is_closed, local_date, period_of
from timbre.receipts.repository import ReceiptRepository

log = logging.getLogger("timbre.receipts")
GLOBAL_PRODUCT_KEY, GLOBAL_UNIT_KEY, GLOBAL_DESCRIPTION = "01010101", "ACT", "Venta"
MAX_CONCEPTS = 1000
_CLAIM_TRIES = 3


class GlobalLink:
    """Ties a global invoice to its receipts (`invoices.linked.Link`)."""

    def __init__(self, team_id: str, livemode: bool, receipt_ids: list[str]) -> None:
        self.team_id, self.livemode, self.ids = team_id, livemode, receipt_ids

    def _locked(self, session: Session) -> list[Receipt]:
        return ReceiptRepository.from_session(session).lock_many(self.team_id, self.livemode, self.ids)

    def claim(self, session: Session) -> bool:
        rows = self._locked(session)
        return len(rows) == len(self.ids) and all(
            r.status == "pending" and r.invoice_id is None and r.global_invoice_id is None for r in rows)

    def attach(self, session: Session, invoice: Invoice) -> None:
        for receipt in self._locked(session):
            receipt.global_invoice_id, receipt.status = invoice.id, "completed"
            emit(session, receipt, EventType.receipt_completed)


def _tax_key(item: dict[str, Any]) -> str:
    taxes = sorted((str(t.get("type")).upper(), str(t.get("factor")), str(Decimal(str(t.get("rate") or 0))),
                    bool(t.get("withholding"))) for t in item.get("taxes") or [])
    return f"{item.get('taxability')}|{taxes}"


def _plain_taxes(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's taxes over its amount before taxes (an inclusive price is already split in the snapshot)."""
    return [{"type": t["type"], "rate": t.get("rate"), "factor": t.get("factor") or "Tasa",
             "withholding": bool(t.get("withholding")), "inclusive": False} for t in item.get("taxes") or []]


def _net_tax(amount: Decimal, discount: Decimal, item: dict[str, Any], decimals: int) -> Decimal:
    line = Line(0, GLOBAL_DESCRIPTION, Decimal(1), amount, discount, GLOBAL_PRODUCT_KEY, GLOBAL_UNIT_KEY, None,
                None, item.get("taxability"), _plain_taxes(item))
    amounts = engine.compute_concept(engine.Item(quantity=Decimal(1), unit_price=amount, discount=discount,
                                                 taxes=line.tax_objects(), objeto_imp=line.taxability), decimals)
    transferred = sum((t.importe or Decimal(0) for t in amounts.traslados), Decimal(0))
    return transferred - sum((t.importe or Decimal(0) for t in amounts.retenciones), Decimal(0))


def _concept(receipt: Receipt, items: list[dict[str, Any]]) -> dict[str, Any]:
    amount = sum((Decimal(i["amount"]) for i in items), Decimal(0))
    discount = sum((Decimal(i["discount"]) for i in items), Decimal(0))
    return {"description": GLOBAL_DESCRIPTION, "quantity": 1, "unit_price": amount, "discount": discount,
            "product_key": GLOBAL_PRODUCT_KEY, "unit_key": GLOBAL_UNIT_KEY,
            "sku": f"{receipt.series}{receipt.folio_number}",
            "taxability": items[0].get("taxability"), "taxes": _plain_taxes(items[0])}


def concepts_of(receipt: Receipt, decimals: int = 2) -> list[dict[str, Any]]:
    """The receipt's Conceptos in a global invoice (see the module's docstring)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in receipt.items or []:
        groups[_tax_key(item)].append(item)
    out = []
    for items in groups.values():
        merged = _concept(receipt, items)
        own = sum((Decimal(i["total"]) - Decimal(i["subtotal"]) for i in items), Decimal(0))
        if len(items) == 1 or _net_tax(merged["unit_price"], merged["discount"], items[0], decimals) == own:
            out.append(merged)
        else:
            out.extend(_concept(receipt, [item]) for item in items)
    return out


def global_body(team_id: str, receipts: list[Receipt], period: Period) -> InvoiceInput:
    largest = max(receipts, key=lambda r: (r.total, r.created_at))
    items = [c for r in receipts for c in concepts_of(r)]
    first = receipts[0]
    return InvoiceInput.model_validate({
        "client": {"id": PUBLICO_GENERAL_ID}, "items": items, "currency": first.currency,
        "exchange_rate": first.exchange_rate, "use": "S01", "payment_form": largest.payment_form,
        "payment_method": "PUE", "global": {"periodicity": period.periodicidad, "months": period.meses,
                                            "year": period.year},
        "metadata": {"global_invoice": True, "period": f"{period.first.isoformat()}/{period.last.isoformat()}",
                     "receipts": len(receipts)},
        "send_email": False,
    })


@dataclass
class RunResult:
    invoices: list[str] = field(default_factory=list)
    receipts: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"invoices": self.invoices, "receipts": self.receipts, "failed": self.failed}


def _period_for(auth: AuthContext, day: date) -> Period:
    settings = auth.team.settings or {}
    return period_of(day, team_periodicity(settings), cuts=settings.get("global_invoicing_monthly_cuts"),
                     tax_system=auth.team.tax_system)


def _groups(auth: AuthContext, receipts: list[Receipt], today: date,
            only: tuple[int, int] | None) -> dict[tuple[Any, ...], list[Receipt]]:
    grace = int((auth.team.settings or {}).get("eom_ppd_threshold_days") or 0)
    groups: dict[tuple[Any, ...], list[Receipt]] = defaultdict(list)
    for receipt in receipts:
        period = _period_for(auth, local_date(receipt.created_at))
        if only is not None and (period.year, period.first.month) != only:
            continue
        if is_closed(period, today, grace):
            groups[(period, receipt.currency, receipt.exchange_rate)].append(receipt)
    return groups


def issue(session: Session, auth: AuthContext, settings: Settings, receipts: list[Receipt], period: Period,
          result: RunResult) -> bool:
    """One global invoice of `receipts`; False when another run claimed one of them first."""
    team_id, livemode = auth.team_id, auth.livemode
    ids = [r.id for r in receipts]
    created = create_linked(session, auth, settings, global_body(team_id, receipts, period), "I",
                            GlobalLink(team_id, livemode, ids))
    if created is None:
        return False
    if created.status == "failed":
        for receipt in ReceiptRepository.from_session(session).lock_many(team_id, livemode, ids):
            receipt.global_invoice_id, receipt.status = None, "pending"
            emit(session, receipt, EventType.receipt_updated)
        session.commit()
        result.failed.append({"invoice_id": created.invoice.id, "receipts": ids, "error": created.invoice.error})
        return True
    result.invoices.append(created.invoice.id)
    result.receipts += len(ids)
    return True


def run(session: Session, auth: AuthContext, settings: Settings, *, today: date | None = None,
        only: tuple[int, int] | None = None) -> RunResult:
    """Issue the global invoices of every closed period of the team's unclaimed receipts (this mode)."""
    if (auth.team.settings or {}).get("global_invoice_disabled"):
        raise BusinessRuleViolation("Global invoices are disabled", "The team's settings disable global invoices "
                                    "(global_invoice_disabled)", code="global_invoice_disabled")
    today = today or local_date(now_ms())
    result = RunResult()
    repo = ReceiptRepository.from_session(session)
    for _ in range(_CLAIM_TRIES):
        groups = _groups(auth, repo.unclaimed(auth.team_id, auth.livemode, now_ms()), today, only)
        session.commit()
        if not groups:
            break
        raced = False
        for (period, _currency, _rate), receipts in sorted(groups.items(), key=lambda g: g[0][0].first):
            for start in range(0, len(receipts), MAX_CONCEPTS // 2):
                chunk = receipts[start:start + MAX_CONCEPTS // 2]
                try:
                    raced |= not issue(session, auth, settings, chunk, period, result)
                except TimbreError as exc:
                    session.rollback()
                    result.failed.append({"receipts": [r.id for r in chunk], "error": {
                        "code": exc.error_code, "message": exc.message, "detail": exc.detail}})
        if not raced:
            break
    return result
