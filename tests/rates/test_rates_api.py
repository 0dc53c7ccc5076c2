"""CFDI40118 and CRP20216 through the API: a TipoCambio (TipoCambioP) beyond c_Moneda's variation around
Banxico's FIX is refused before any folio is taken, unless `confirmation` is given (written as Confirmacion);
with no FIX known for the day the document is stamped and the response's `warnings` say so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.complements.helpers import pay, ppd_invoice, stamped_pagos
from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready
from tests.rates.transport import series_csv
from timbre.catalogs import husos
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.rates import service

FIX = "18.0000"  # 5 % either way: 17.10 - 18.90


def load_fix(value: str = FIX) -> None:
    """Today's and the past week's FIX at `value`, imported from a SIE CSV."""
    today = husos.local_now("42501").date()
    rows = {(today - timedelta(days=n)).strftime("%d/%m/%Y"): value for n in range(7)}
    with session_scope(get_settings().db_url) as session:
        service.import_csv(session, series_csv(rows))


def codes(res: Any) -> set[str]:
    return {d.get("code") for d in res.json()["error"]["details"]}


def usd_invoice(ready: Ready, rate: float, **overrides: Any) -> Any:
    return ready.create(currency="USD", exchange_rate=rate, **overrides)


class TestInvoiceTipoCambio:
    def test_within_the_variation_stamps_without_warnings(self, ready: Ready) -> None:
        load_fix()
        res = usd_invoice(ready, 18.5)
        assert res.status_code == 201, res.text
        assert res.json()["data"]["warnings"] == []

    def test_beyond_the_variation_is_refused_before_a_folio(self, ready: Ready) -> None:
        load_fix()
        res = usd_invoice(ready, 20.0)
        assert res.status_code == 400, res.text
        assert "CFDI40118" in codes(res)
        assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 0
        following = usd_invoice(ready, 18.1)
        assert following.status_code == 201 and following.json()["data"]["folio_number"] == 1

    def test_a_confirmation_lets_it_through_as_confirmacion(self, ready: Ready) -> None:
        load_fix()
        res = usd_invoice(ready, 20.0, confirmation="AbC12")
        assert res.status_code == 201, res.text
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, res.json()["data"]["uuid"]))
        assert (root.get("Confirmacion"), root.get("TipoCambio")) == ("AbC12", "20.0")

    def test_a_confirmation_within_the_variation_is_refused(self, ready: Ready) -> None:
        load_fix()
        res = usd_invoice(ready, 18.2, confirmation="AbC12")
        assert res.status_code == 400 and "CFDI40127" in codes(res)

    def test_a_malformed_confirmation_is_a_422(self, ready: Ready) -> None:
        assert usd_invoice(ready, 20.0, confirmation="AB-1").status_code == 422

    def test_no_rate_known_stamps_with_a_warning(self, ready: Ready) -> None:
        res = usd_invoice(ready, 99.0)
        assert res.status_code == 201, res.text
        (warning,) = res.json()["data"]["warnings"]
        assert "no Banxico FIX rate for USD" in warning and "CFDI40118" in warning

    def test_validate_reports_the_same(self, ready: Ready) -> None:
        load_fix()
        refused = ready.client.post("/v2/invoices/validate", headers=ready.headers,
                                    json=ready.body(currency="USD", exchange_rate=20.0)).json()["data"]
        assert refused["valid"] is False and "CFDI40118" in {e.get("code") for e in refused["errors"]}
        with session_scope(get_settings().db_url) as session:
            session.execute(service.ExchangeRateRepository.model.__table__.delete())
        unknown = ready.client.post("/v2/invoices/validate", headers=ready.headers,
                                    json=ready.body(currency="USD", exchange_rate=20.0)).json()["data"]
        assert unknown["valid"] is True and any("no Banxico FIX rate" in w for w in unknown["warnings"])


class TestComplementTipoCambioP:
    def _pay_in_dollars(self, ready: Ready, rate: float, **overrides: Any) -> Any:
        uuid = ppd_invoice(ready, unit_price=1000.0)["uuid"]
        return pay(ready, (uuid, 580.0), currency="USD", exchange_rate=rate, **overrides,
                   invoices=[{"uuid": uuid, "amount": 580.0, "equivalence": rate}])

    def test_within_the_variation(self, ready: Ready) -> None:
        load_fix()
        res = self._pay_in_dollars(ready, 18.3)
        assert res.status_code == 201, res.text
        assert res.json()["data"]["warnings"] == []

    def test_beyond_the_variation_is_refused(self, ready: Ready) -> None:
        load_fix()
        res = self._pay_in_dollars(ready, 25.0)
        assert res.status_code == 400, res.text
        assert "CRP20216" in codes(res)

    def test_a_confirmation_lets_it_through(self, ready: Ready) -> None:
        load_fix()
        res = self._pay_in_dollars(ready, 25.0, confirmation="ZX9Y8")
        assert res.status_code == 201, res.text
        uuid = res.json()["data"]["uuid"]
        assert stamped_pagos(ready, uuid) is not None
        assert assert_valid_cfdi(stored_xml(ready.client, ready.headers, uuid)).get("Confirmacion") == "ZX9Y8"

    def test_no_rate_known_stamps_with_a_warning(self, ready: Ready) -> None:
        res = self._pay_in_dollars(ready, 25.0)
        assert res.status_code == 201, res.text
        assert any("no Banxico FIX rate for USD" in w for w in res.json()["data"]["warnings"])
