"""Reading Banxico's two publications of the FIX: the SIE series CSV and the SIE API's JSON (over a
recorded transport)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import requests

from tests.rates.transport import FIXTURES, Recorded, recorded_sie, session_with
from timbre.rates.banxico import BanxicoError, Rate, SieClient, parse_csv, parse_sie

D = Decimal


class TestParseCsv:
    def test_one_series_skips_days_without_a_rate(self) -> None:
        rates = parse_csv((FIXTURES / "SF43718_fix.csv").read_bytes())
        assert [r.day for r in rates][:2] == [date(2026, 11, 20), date(2026, 11, 23)]  # 21 and 22: N/E
        assert len(rates) == 7 and {r.currency for r in rates} == {"USD"} and {r.series for r in rates} == {"SF43718"}
        assert rates[-1] == Rate("USD", date(2026, 11, 30), D("18.3049"), "SF43718")

    def test_two_series_give_two_currencies(self) -> None:
        rates = parse_csv((FIXTURES / "SF43718_SF46410.csv").read_bytes())
        assert sorted((r.currency, r.day.isoformat(), r.rate) for r in rates) == [
            ("EUR", "2026-11-27", D("21.2874")), ("EUR", "2026-11-30", D("21.2102")),
            ("USD", "2026-11-27", D("18.3876")), ("USD", "2026-11-30", D("18.3049"))]

    def test_utf8_reads_the_same(self) -> None:
        latin = (FIXTURES / "SF43718_fix.csv").read_bytes()
        assert parse_csv(latin.decode("latin-1").encode("utf-8")) == parse_csv(latin)

    @pytest.mark.parametrize(("text", "message"), [
        ("a,b\n1,2\n", "not a Banxico SIE series CSV"),
        ('"Fecha","SP1"\n"01/01/2026","1"\n', "none of the series"),
        ('"Fecha","SF43718"\n"2026-01-01","18.1"\n', "not a dd/mm/yyyy date"),
        ('"Fecha","SF43718"\n"01/01/2026","abc"\n', "is not a rate"),
        ('"Fecha","SF43718"\n"01/01/2026","-1"\n', "not a positive rate"),
    ])
    def test_what_is_not_a_series_file(self, text: str, message: str) -> None:
        with pytest.raises(BanxicoError, match=message):
            parse_csv(text)


class TestSieApi:
    def test_recorded_answer(self) -> None:
        adapter = recorded_sie()
        client = SieClient("t0ken", session=session_with(adapter))
        rates = client.fix_rates(date(2026, 11, 21), date(2026, 12, 1))
        assert len(rates) == 8  # 01/12's N/E is not a rate
        assert Rate("EUR", date(2026, 11, 30), D("21.2102"), "SF46410") in rates
        (sent,) = adapter.seen
        assert sent.url == ("https://www.banxico.org.mx/SieAPIRest/service/v1/series/SF43718,SF46410/datos/"
                            "2026-11-21/2026-12-01")
        assert sent.headers["Bmx-Token"] == "t0ken"

    @pytest.mark.parametrize(("adapter", "message"), [
        (Recorded(b'{"error": {"mensaje": "Token invalido"}}', 401), "HTTP 401"),
        (Recorded(b"<html>maintenance</html>"), "not JSON"),
        (Recorded(b'{"bmx": {}}'), "not a SIE series answer"),
        (Recorded(b"", error=requests.ConnectTimeout("slow")), "did not answer"),
    ])
    def test_failures(self, adapter: Recorded, message: str) -> None:
        with pytest.raises(BanxicoError, match=message):
            SieClient("t0ken", session=session_with(adapter)).fix_rates(date(2026, 11, 21), date(2026, 12, 1))

    def test_parse_ignores_other_series(self) -> None:
        payload = {"bmx": {"series": [{"idSerie": "SP1", "datos": [{"fecha": "01/01/2026", "dato": "1"}]}]}}
        assert parse_sie(payload) == []
