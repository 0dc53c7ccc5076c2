"""Banxico's FIX rates in the database, and the TipoCambio limits SAT derives from them (CFDI40118, CRP20216).

A `TipoCambio` may differ from the day's reference rate by c_Moneda's *porcentaje de variación*; beyond
that SAT asks for a `Confirmacion` key. The reference is the latest FIX Banxico determined on or before
the document's date, up to `LOOKBACK` days back (weekends and bank holidays have none). With no rate known
in that window the document is accepted unchecked and the caller says so in its `warnings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from timbre.catalogs import store
from timbre.cfdi.rules import limits_from_reference
from timbre.rates.banxico import Rate, SieClient, parse_csv
from timbre.rates.repository import ExchangeRateRepository

LOOKBACK = timedelta(days=7)
# The daily job asks for the last days too: a holiday, or a day the job did not run, is filled in later.
FETCH_WINDOW = timedelta(days=10)
NO_CHECK = frozenset({"MXN", "XXX"})


@dataclass(frozen=True)
class ImportResult:
    total: int
    inserted: int
    updated: int
    unchanged: int
    currencies: list[str] = field(default_factory=list)
    first_day: str | None = None
    last_day: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged, "currencies": self.currencies, "first_day": self.first_day,
                "last_day": self.last_day}


@dataclass(frozen=True)
class Reference:
    """What the rules need for one currency on one day: its limits, or why there are none."""

    limits: tuple[Decimal, Decimal] | None = None
    rate: Decimal | None = None
    day: str | None = None
    warning: str | None = None


def variation(currency: str) -> Decimal | None:
    """c_Moneda's allowed variation as a fraction (5 % → 0.05); None when SAT sets none."""
    row = store.get("c_Moneda", currency)
    if row is None or not row["porcentaje_variacion"]:
        return None
    percent = Decimal(row["porcentaje_variacion"])
    return percent / 100 if percent > 0 else None


def reference(session: Session, currency: str, on: date, *, field_name: str = "exchange_rate") -> Reference:
    """The TipoCambio limits of `currency` on `on` (the document's local date)."""
    if currency in NO_CHECK:  # the hot path: most invoices are in pesos
        return Reference()
    fraction = variation(currency)
    if fraction is None:
        return Reference()
    row = ExchangeRateRepository.from_session(session).latest(currency, on.isoformat(),
                                                               (on - LOOKBACK).isoformat())
    if row is None:
        return Reference(warning=f"{field_name}: no Banxico FIX rate for {currency} is known on or before "
                                 f"{on.isoformat()}, so the rate was not checked against SAT's allowed variation "
                                 "(CFDI40118); `timbre rates import` or TIMBRE_BANXICO_TOKEN provide them")
    return Reference(limits=limits_from_reference(row.rate, fraction), rate=row.rate, day=row.day)


def _store(session: Session, rates: list[Rate], source: str) -> ImportResult:
    inserted, updated, unchanged = ExchangeRateRepository.from_session(session).upsert(rates, source)
    days = sorted(rate.day.isoformat() for rate in rates)
    return ImportResult(total=len(rates), inserted=inserted, updated=updated, unchanged=unchanged,
                        currencies=sorted({rate.currency for rate in rates}),
                        first_day=days[0] if days else None, last_day=days[-1] if days else None)


def import_csv(session: Session, data: bytes | str) -> ImportResult:
    """Store every FIX rate of a Banxico SIE series CSV (`banxico.BanxicoError` when it is not one)."""
    return _store(session, parse_csv(data), "import")


def fetch(session: Session, client: SieClient, today: date) -> ImportResult:
    """Ask Banxico's SIE API for the recent FIX rates and store them."""
    return _store(session, client.fix_rates(today - FETCH_WINDOW, today), "sie")
