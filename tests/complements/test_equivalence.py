"""EquivalenciaDR through the API: exactly "1" for every invoice in the payment's currency (CRP20238),
however many invoices one payment covers."""

from __future__ import annotations

from tests.complements.helpers import PAGOS, pay, ppd_invoice, stamped_pagos
from tests.invoices.conftest import Ready


class TestSameCurrency:
    def test_a_payment_of_two_invoices_writes_one(self, ready: Ready) -> None:
        first, second = ppd_invoice(ready, unit_price=1000.0), ppd_invoice(ready, unit_price=500.0)
        res = pay(ready, (first["uuid"], 1160.0), (second["uuid"], 300.0))
        assert res.status_code == 201, res.text
        pagos = stamped_pagos(ready, res.json()["data"]["uuid"])
        doctos = pagos.findall(f"{PAGOS}Pago/{PAGOS}DoctoRelacionado")
        assert [d.get("IdDocumento") for d in doctos] == [first["uuid"], second["uuid"]]
        assert [d.get("EquivalenciaDR") for d in doctos] == ["1", "1"]

    def test_a_payment_of_one_invoice_writes_one(self, ready: Ready) -> None:
        uuid = ppd_invoice(ready, unit_price=1000.0)["uuid"]
        res = pay(ready, (uuid, 580.0))
        assert res.status_code == 201, res.text
        docto = stamped_pagos(ready, res.json()["data"]["uuid"]).find(f"{PAGOS}Pago/{PAGOS}DoctoRelacionado")
        assert docto.get("EquivalenciaDR") == "1"
