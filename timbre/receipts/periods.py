"""The periods of global invoices, in Mexico City's calendar (SAT's InformacionGlobal).

The team's `periodicity` decides them: `day` (c_Periodicidad 01), `week` (02: days 1-7, 8-14, 15-21,
22-28 and 29 to the month's end, so that a week never spans two months and `Meses` is always the
month), `two_weeks` (03: 1-15 and 16 to the end), `month` (04; `global_invoicing_monthly_cuts` = N
splits it into N nearly equal parts, each its own global invoice, still monthly) and `two_months`
(05, bimesters 13-18, which SAT allows only to the Régimen de Incorporación Fiscal, 621: other
teams get monthly periods).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from timbre.cfdi.pac.sandbox import MEXICO_TZ

PERIODICIDAD = {"day": "01", "week": "02", "two_weeks": "03", "month": "04", "two_months": "05"}


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # inclusive
    periodicidad: str
    meses: str
    year: int

    @property
    def key(self) -> tuple[date, date]:
        return self.first, self.last


def local_date(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, MEXICO_TZ).date()


def start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=MEXICO_TZ).timestamp() * 1000)


def _month_cut(day: date, cuts: int) -> tuple[date, date]:
    days = calendar.monthrange(day.year, day.month)[1]
    bounds = [round(days * i / cuts) for i in range(cuts + 1)]
    for i in range(cuts):
        if bounds[i] < day.day <= bounds[i + 1]:
            return day.replace(day=bounds[i] + 1), day.replace(day=bounds[i + 1])
    raise AssertionError("a day always falls in one cut")


def _blocks(day: date, starts: tuple[int, ...]) -> tuple[date, date]:
    end = calendar.monthrange(day.year, day.month)[1]
    first = max(s for s in starts if s <= day.day)
    later = [s for s in starts if s > first]
    return day.replace(day=first), day.replace(day=(later[0] - 1) if later else end)


def period_of(day: date, periodicity: str, *, cuts: int | None = None, tax_system: str | None = None) -> Period:
    if periodicity == "two_months" and tax_system != "621":
        periodicity = "month"
    code = PERIODICIDAD.get(periodicity, "04")
    month = f"{day.month:02d}"
    if periodicity == "day":
        return Period(day, day, code, month, day.year)
    if periodicity == "week":
        first, last = _blocks(day, (1, 8, 15, 22, 29))
        return Period(first, last, code, month, day.year)
    if periodicity == "two_weeks":
        first, last = _blocks(day, (1, 16))
        return Period(first, last, code, month, day.year)
    if periodicity == "two_months":
        start_month = day.month - (day.month - 1) % 2
        first = date(day.year, start_month, 1)
        last = date(day.year, start_month + 1, calendar.monthrange(day.year, start_month + 1)[1])
        return Period(first, last, code, str(12 + (start_month + 1) // 2), day.year)
    first, last = _month_cut(day, cuts) if cuts else (day.replace(day=1), day.replace(
        day=calendar.monthrange(day.year, day.month)[1]))
    return Period(first, last, "04", month, day.year)


def is_closed(period: Period, today: date, grace_days: int) -> bool:
    """A period is invoiced on its last day (the job runs at 23:59) or later, after `grace_days`."""
    return period.last + timedelta(days=grace_days) <= today
