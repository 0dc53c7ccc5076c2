"""Periods of global invoices in Mexico City's calendar (pure)."""

from __future__ import annotations

from datetime import date

from timbre.receipts.periods import is_closed, period_of


class TestPeriodOf:
    def test_month_and_its_cuts(self) -> None:
        month = period_of(date(2026, 2, 14), "month")
        assert (month.first, month.last, month.periodicidad, month.meses, month.year) == (
            date(2026, 2, 1), date(2026, 2, 28), "04", "02", 2026)
        cuts = [period_of(date(2026, 1, d), "month", cuts=3) for d in (1, 10, 11, 21, 22, 31)]
        assert [(p.first.day, p.last.day) for p in cuts] == [(1, 10), (1, 10), (11, 21), (11, 21), (22, 31),
                                                              (22, 31)]
        assert {p.periodicidad for p in cuts} == {"04"}

    def test_day_week_and_fortnight_stay_in_their_month(self) -> None:
        assert period_of(date(2026, 3, 5), "day").periodicidad == "01"
        week = period_of(date(2026, 3, 30), "week")
        assert (week.first, week.last, week.periodicidad, week.meses) == (date(2026, 3, 29), date(2026, 3, 31),
                                                                          "02", "03")
        second = period_of(date(2026, 4, 16), "two_weeks")
        assert (second.first, second.last, second.periodicidad) == (date(2026, 4, 16), date(2026, 4, 30), "03")

    def test_bimesters_only_for_rif(self) -> None:
        rif = period_of(date(2026, 12, 3), "two_months", tax_system="621")
        assert (rif.first, rif.last, rif.periodicidad, rif.meses) == (date(2026, 11, 1), date(2026, 12, 31), "05",
                                                                      "18")
        assert period_of(date(2026, 12, 3), "two_months", tax_system="601").periodicidad == "04"


class TestIsClosed:
    def test_on_its_last_day_or_after_the_grace_days(self) -> None:
        period = period_of(date(2026, 1, 10), "month")
        assert not is_closed(period, date(2026, 1, 30), 0) and is_closed(period, date(2026, 1, 31), 0)
        assert not is_closed(period, date(2026, 2, 2), 3) and is_closed(period, date(2026, 2, 3), 3)
