"""Acceptance: a 116,000 MXN PPD invoice paid in three installments through the API."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from tests.complements.helpers import PAGOS, dec, invoice, pay, ppd_invoice, stamped_pagos
from tests.invoices.conftest import Ready

CENT = Decimal("0.01")


def _prorated(value: Decimal, paid: Decimal, total: Decimal) -> Decimal:
    return (value * paid / total).quantize(CENT, rounding=ROUND_HALF_EVEN)


class TestThreeInstallments:
    def test_balances_chain_to_zero_and_a_fourth_payment_is_refused(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready)
        total = Decimal(str(ppd["total"]))
        base = Decimal(str(ppd["subtotal"]))
        iva = Decimal(str(ppd["taxes"]))
        assert (total, ppd["last_balance"]) == (Decimal("116000"), 116000.0)
        installments = [Decimal("50000.00"), Decimal("40000.00"), Decimal("26000.00")]
        balance = total
        complements = []
        for number, amount in enumerate(installments, start=1):
            res = pay(ready, (ppd["uuid"], float(amount)))
            assert res.status_code == 201, res.text
            data = res.json()["data"]
            assert data["invoice_type"] == "P" and data["status"] == "valid" and data["total"] == float(amount)
            (doc,) = data["invoices"]
            assert (doc["installment"], doc["previous_balance"], doc["amount"], doc["balance"]) == (
                number, float(balance), float(amount), float(balance - amount))
            pagos = stamped_pagos(ready, data["uuid"])
            pago = pagos.find(f"{PAGOS}Pago")
            assert dec(pago, "Monto") == amount and pago.get("FormaDePagoP") == "03"
            docto = pago.find(f"{PAGOS}DoctoRelacionado")
            assert docto.get("IdDocumento") == ppd["uuid"] and docto.get("NumParcialidad") == str(number)
            assert (dec(docto, "ImpSaldoAnt"), dec(docto, "ImpPagado"), dec(docto, "ImpSaldoInsoluto")) == (
                balance, amount, balance - amount)
            traslado = docto.find(f"{PAGOS}ImpuestosDR/{PAGOS}TrasladosDR/{PAGOS}TrasladoDR")
            assert dec(traslado, "BaseDR") == _prorated(base, amount, total)
            assert dec(traslado, "ImporteDR") == _prorated(iva, amount, total)
            totales = pagos.find(f"{PAGOS}Totales")
            assert dec(totales, "MontoTotalPagos") == amount
            assert dec(totales, "TotalTrasladosBaseIVA16") == _prorated(base, amount, total)
            balance -= amount
            assert invoice(ready, ppd["uuid"])["last_balance"] == float(balance)
            complements.append(data["uuid"])
        assert balance == 0
        refused = pay(ready, (ppd["uuid"], 0.01))
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "overpayment"
        listed = ready.client.get("/v2/invoices/payment", headers=ready.headers,
                                  params={"invoice_id": ppd["uuid"]}).json()
        assert sorted(c["uuid"] for c in listed["data"]) == sorted(complements) and listed["total_results"] == 3
        assert invoice(ready, ppd["uuid"])["payment_complements"] == complements
