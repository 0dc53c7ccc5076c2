"""`timbre rates import FILE`, the optional daily SIE job, and the TipoCambio limits SAT derives from the FIX."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.rates.transport import FIXTURES, Recorded, recorded_sie, series_csv, session_with
from timbre.cli import main
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import ExchangeRate
from timbre.rates import service
from timbre.rates.banxico import SieClient
from timbre.rates.tasks import fetch_fix_rates

D = Decimal


def _import(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["rates", "import", str(path)])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.output)
    return out


class TestImportCommand:
    def test_import_is_idempotent(self) -> None:
        first = _import(FIXTURES / "SF43718_fix.csv")
        assert first == {"total": 7, "inserted": 7, "updated": 0, "unchanged": 0, "currencies": ["USD"],
                         "first_day": "2026-11-20", "last_day": "2026-11-30"}
        again = _import(FIXTURES / "SF43718_fix.csv")
        assert (again["inserted"], again["unchanged"]) == (0, 7)
        with session_scope(get_settings().db_url) as session:
            row = session.get(ExchangeRate, ("USD", "2026-11-30"))
            assert row is not None and (row.rate, row.series, row.source) == (D("18.3049"), "SF43718", "import")

    def test_a_revised_value_is_updated(self, tmp_path: Path) -> None:
        _import(FIXTURES / "SF43718_fix.csv")
        revised = tmp_path / "revised.csv"
        revised.write_bytes(series_csv({"30/11/2026": "18.3100", "01/12/2026": "18.2000"}))
        assert _import(revised)["updated"] == 1
        with session_scope(get_settings().db_url) as session:
            assert session.get(ExchangeRate, ("USD", "2026-11-30")).rate == D("18.3100")  # type: ignore[union-attr]

    def test_two_series(self) -> None:
        assert _import(FIXTURES / "SF43718_SF46410.csv")["currencies"] == ["EUR", "USD"]

    def test_not_a_banxico_file(self, tmp_path: Path) -> None:
        other = tmp_path / "other.csv"
        other.write_text("a,b,c\n1,2,3\n")
        result = CliRunner().invoke(main, ["rates", "import", str(other)])
        assert result.exit_code == 2 and "not a Banxico SIE series CSV" in result.output


class TestDailyJob:
    def test_recorded_sie_answer_is_stored(self) -> None:
        adapter = recorded_sie()
        result = fetch_fix_rates(SieClient("t0ken", session=session_with(adapter)))
        assert result is not None and (result.total, result.inserted) == (8, 8)
        assert result.currencies == ["EUR", "USD"]
        with session_scope(get_settings().db_url) as session:
            row = session.get(ExchangeRate, ("EUR", "2026-11-30"))
            assert row is not None and row.source == "sie" and row.rate == D("21.2102")

    def test_without_a_token_it_does_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(get_settings(), "banxico_token", None)  # the settings every test shares, restored after
        assert fetch_fix_rates() is None

    def test_a_failed_answer_stores_nothing(self) -> None:
        assert fetch_fix_rates(SieClient("bad", session=session_with(Recorded(b"{}", 401)))) is None
        with session_scope(get_settings().db_url) as session:
            assert session.query(ExchangeRate).count() == 0


class TestReference:
    def test_limits_are_the_fix_plus_and_minus_c_monedas_variation(self) -> None:
        _import(FIXTURES / "SF43718_fix.csv")
        with session_scope(get_settings().db_url) as session:
            ref = service.reference(session, "USD", date(2026, 11, 30))
        assert (ref.rate, ref.day, ref.warning) == (D("18.3049"), "2026-11-30", None)
        assert ref.limits == (D("18.3049") * D("0.95"), D("18.3049") * D("1.05"))

    def test_a_weekend_uses_the_last_banking_day(self) -> None:
        _import(FIXTURES / "SF43718_fix.csv")
        with session_scope(get_settings().db_url) as session:
            assert service.reference(session, "USD", date(2026, 11, 29)).day == "2026-11-27"

    @pytest.mark.parametrize(("currency", "on"), [("USD", date(2026, 12, 20)), ("EUR", date(2026, 11, 30)),
                                                  ("USD", date(2026, 11, 19))])
    def test_no_rate_known_is_a_warning(self, currency: str, on: date) -> None:
        _import(FIXTURES / "SF43718_fix.csv")
        with session_scope(get_settings().db_url) as session:
            ref = service.reference(session, currency, on)
        assert ref.limits is None and ref.warning and currency in ref.warning and on.isoformat() in ref.warning

    @pytest.mark.parametrize("currency", ["MXN", "XXX", "XTS"])
    def test_currencies_without_a_check(self, currency: str) -> None:
        with session_scope(get_settings().db_url) as session:
            assert service.reference(session, currency, date.today() - timedelta(days=1)) == service.Reference()
