"""All SQL of exchange rates (reference data shared by every team: no tenancy filter applies)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import Select, bindparam, select

from timbre.kit.clock import now_ms
from timbre.kit.repository import Repository
from timbre.models import ExchangeRate
from timbre.rates.banxico import Rate


class ExchangeRateRepository(Repository[ExchangeRate]):
    model = ExchangeRate

    def latest(self, currency: str, on: str, since: str) -> ExchangeRate | None:
        """The rate of the latest day in [since, on] (ISO dates) that has one."""
        params = {"currency": currency, "on": on, "since": since}
        row: ExchangeRate | None = self.session.scalars(_latest(), params).first()
        return row

    def upsert(self, rates: Iterable[Rate], source: str) -> tuple[int, int, int]:
        """Insert or update each rate; (inserted, updated, unchanged)."""
        inserted = updated = unchanged = 0
        now = now_ms()
        for rate in rates:
            row = self.session.get(ExchangeRate, (rate.currency, rate.day.isoformat()))
            if row is None:
                self.session.add(ExchangeRate(currency=rate.currency, day=rate.day.isoformat(), rate=rate.rate,
                                              series=rate.series, source=source, updated_at=now))
                self.session.flush()
                inserted += 1
            elif row.rate != rate.rate or row.series != rate.series:
                row.rate, row.series, row.source, row.updated_at = rate.rate, rate.series, source, now
                updated += 1
            else:
                unchanged += 1
        self.session.flush()
        return inserted, updated, unchanged


@cache
def _latest() -> Select[ExchangeRate]:
    """Every foreign-currency invoice reads it: built once."""
    return (select(ExchangeRate)
            .where(ExchangeRate.currency == bindparam("currency"), ExchangeRate.day <= bindparam("on"),
                   ExchangeRate.day >= bindparam("since"))
            .order_by(ExchangeRate.day.desc()).limit(1))
