"""What Anexo 20's filling guide asks beyond SAT's error matrix, through the API: PUE with FormaPago 99,
currency XXX on an invoice, IVA 8 % outside the border region, a FechaPago in the future, and a foreign
receiver, who needs a NumRegIdTrib only with Comercio Exterior."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.complements.helpers import pay, ppd_invoice
from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready

CFDI = "{http://www.sat.gob.mx/cfd/4}"
IVA8 = {"type": "IVA", "rate": 0.08, "factor": "Tasa", "withholding": False}


def guide_fields(res: Any) -> set[str]:
    assert res.status_code == 400, res.text
    return {d["field"] for d in res.json()["error"]["details"] if d.get("rule") == "guia_llenado"}


def move_team(ready: Ready, zip_code: str) -> None:
    res = ready.client.put(f"/v2/teams/{ready.account.team_id}", headers=ready.account.headers(),
                           json={"address": {"zip": zip_code, "country": "MEX"}})
    assert res.status_code == 200, res.text


class TestPaymentForm:
    def test_pue_with_99_is_refused(self, ready: Ready) -> None:
        assert guide_fields(ready.create(payment_method="PUE", payment_form="99")) == {"payment_form"}

    def test_ppd_with_99_stamps(self, ready: Ready) -> None:
        assert ready.create(payment_method="PPD", payment_form="99").status_code == 201

    def test_validate_says_the_same(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/validate", headers=ready.headers,
                                json=ready.body(payment_method="PUE", payment_form="99"))
        data = res.json()["data"]
        assert data["valid"] is False and {e["field"] for e in data["errors"]} == {"payment_form"}


class TestCurrency:
    def test_xxx_on_an_income_invoice_is_refused(self, ready: Ready) -> None:
        assert "currency" in guide_fields(ready.create(currency="XXX"))


class TestBorderIva:
    def test_iva_8_outside_the_border_region_is_refused(self, ready: Ready) -> None:
        res = ready.create(items=[ready.item(taxes=[IVA8])])  # the team is in 42501, Pachuca
        assert guide_fields(res) == {"items[0].taxes[0].rate"}

    def test_iva_8_in_the_border_region_stamps(self, ready: Ready) -> None:
        move_team(ready, "22000")  # Tijuana: c_CodigoPostal's estímulo franja fronteriza is 1
        res = ready.create(items=[ready.item(taxes=[IVA8])])
        assert res.status_code == 201, res.text
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, res.json()["data"]["uuid"]))
        assert root.find(f"{CFDI}Impuestos/{CFDI}Traslados/{CFDI}Traslado").get("TasaOCuota") == "0.080000"


class TestFechaPago:
    def test_a_payment_in_the_future_is_refused(self, ready: Ready) -> None:
        uuid = ppd_invoice(ready, unit_price=1000.0)["uuid"]
        tomorrow = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
        assert guide_fields(pay(ready, (uuid, 580.0), paid_at=tomorrow)) == {"paid_at"}

    def test_a_payment_of_an_hour_ago_stamps(self, ready: Ready) -> None:
        uuid = ppd_invoice(ready, unit_price=1000.0)["uuid"]
        earlier = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
        assert pay(ready, (uuid, 580.0), paid_at=earlier).status_code == 201


class TestForeignReceiver:
    def _foreign_client(self, ready: Ready, **extra: Any) -> str:
        body = {"legal_name": "ACME WIDGETS INC", "tax_id": "XEXX010101000", "tax_system": "616", "use": "S01",
                "address": {"country": "USA", "zip": "94105"}, **extra}
        res = ready.client.post("/v2/clients", headers=ready.headers, json=body)
        assert res.status_code == 201, res.text
        data: dict[str, Any] = res.json()["data"]
        return str(data["id"])

    def test_without_a_foreign_tax_id_stamps(self, ready: Ready) -> None:
        client_id = self._foreign_client(ready)
        res = ready.create(client={"id": client_id}, use="S01",
                           items=[ready.item(taxes=[{"type": "IVA", "rate": 0, "factor": "Tasa"}])])
        assert res.status_code == 201, res.text
        receptor = assert_valid_cfdi(stored_xml(ready.client, ready.headers, res.json()["data"]["uuid"])).find(
            f"{CFDI}Receptor")
        assert (receptor.get("Rfc"), receptor.get("ResidenciaFiscal")) == ("XEXX010101000", "USA")
        assert receptor.get("NumRegIdTrib") is None

    def test_with_a_foreign_tax_id_it_is_written(self, ready: Ready) -> None:
        client_id = self._foreign_client(ready, foreign_tax_id="123456789")
        res = ready.create(client={"id": client_id}, use="S01", exports="01")
        assert res.status_code == 201, res.text
        receptor = assert_valid_cfdi(stored_xml(ready.client, ready.headers, res.json()["data"]["uuid"])).find(
            f"{CFDI}Receptor")
        assert receptor.get("NumRegIdTrib") == "123456789"

    def test_exportacion_02_needs_comercio_exterior(self, ready: Ready) -> None:
        client_id = self._foreign_client(ready)
        res = ready.create(client={"id": client_id}, use="S01", exports="02")
        assert res.status_code == 400, res.text
        assert "CFDI40122" in {d.get("code") for d in res.json()["error"]["details"]}
