"""Fecha is the wall clock of LugarExpedicion (CFDI40101): an issuer in Tijuana (22000) or Cancún (77500)
stamps with its own zone's time, invoices and payment complements alike (FechaPago too), and the sandbox PAC
reads Fecha in that zone. The expected clock comes from the IANA database, not from our own table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.complements.helpers import pay, ppd_invoice, stamped_pagos
from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready

# The request, the seal and the stamp take a moment (longer on a loaded machine).
SLACK = timedelta(minutes=3)


def move_team(ready: Ready, zip_code: str) -> None:
    res = ready.client.put(f"/v2/teams/{ready.account.team_id}", headers=ready.account.headers(),
                           json={"address": {"zip": zip_code, "country": "MEX"}})
    assert res.status_code == 200, res.text


def assert_local(written: str | None, iana: str, before: datetime) -> None:
    """`written` is the wall clock of `iana` between `before` and now."""
    assert written is not None
    fecha = datetime.fromisoformat(written)
    assert fecha.tzinfo is None
    low = before.astimezone(ZoneInfo(iana)).replace(tzinfo=None, microsecond=0)
    high = datetime.now(UTC).astimezone(ZoneInfo(iana)).replace(tzinfo=None)
    assert low - SLACK <= fecha <= high, (written, low, high)


class TestInvoiceFecha:
    @pytest.mark.parametrize(("zip_code", "iana"), [("22000", "America/Tijuana"), ("77500", "America/Cancun"),
                                                    ("42501", "America/Mexico_City")])
    def test_fecha_is_the_local_time_of_the_place_of_issue(self, ready: Ready, zip_code: str, iana: str) -> None:
        move_team(ready, zip_code)
        before = datetime.now(UTC)
        res = ready.create()
        assert res.status_code == 201, res.text
        data: dict[str, Any] = res.json()["data"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, data["uuid"]))
        assert root.get("LugarExpedicion") == zip_code
        assert_local(root.get("Fecha"), iana, before)

    def test_tijuana_is_not_mexico_city_time(self, ready: Ready) -> None:
        move_team(ready, "22000")
        res = ready.create()
        assert res.status_code == 201, res.text
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, res.json()["data"]["uuid"]))
        fecha = datetime.fromisoformat(root.get("Fecha"))
        central = datetime.now(UTC).astimezone(ZoneInfo("America/Mexico_City")).replace(tzinfo=None)
        # Baja California is one hour (summer) or two (winter) behind central Mexico.
        assert central - fecha >= timedelta(minutes=55)


class TestComplementFecha:
    def test_fecha_and_fecha_pago_are_the_issuers_clock(self, ready: Ready) -> None:
        move_team(ready, "22000")
        uuid = ppd_invoice(ready, unit_price=1000.0)["uuid"]
        paid = datetime.now(UTC) - timedelta(hours=1)
        before = datetime.now(UTC)
        res = pay(ready, (uuid, 580.0), paid_at=int(paid.timestamp()))
        assert res.status_code == 201, res.text
        complement = res.json()["data"]["uuid"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, complement))
        assert_local(root.get("Fecha"), "America/Tijuana", before)
        pago = stamped_pagos(ready, complement).find("{http://www.sat.gob.mx/Pagos20}Pago")
        expected = paid.astimezone(ZoneInfo("America/Tijuana")).replace(tzinfo=None, microsecond=0)
        assert pago.get("FechaPago") == expected.isoformat()
