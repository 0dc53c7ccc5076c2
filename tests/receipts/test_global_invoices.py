"""Global invoices: a month of receipts through the end-of-period run, exactly once (also with two runs at
once), and SAT's procedure when a receipt of a global invoice is later invoiced by name."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready
from tests.receipts.helpers import ITEM, make_receipt, move_created
from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.receipts.tasks import run_global_invoices

CFDI = "{http://www.sat.gob.mx/cfd/4}"
IVA0 = [{"type": "IVA", "rate": 0, "factor": "Tasa", "withholding": False}]


def _last_month() -> tuple[date, int]:
    first = datetime.now(MEXICO_TZ).date().replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    ms = int(datetime(start.year, start.month, start.day, 12, tzinfo=MEXICO_TZ).timestamp() * 1000)
    return start, ms


def _month_of_receipts(ready: Ready) -> tuple[list[dict[str, Any]], date]:
    """Eight receipts of last month: two self-invoiced, one cancelled, the rest unclaimed (one expired)."""
    start, noon = _last_month()
    bodies: list[dict[str, Any]] = [
        {}, {"items": [{**ITEM, "unit_price": 19.99, "quantity": 3}], "payment_form": "04"},
        {"items": [ITEM, {**ITEM, "description": "Pan", "unit_price": 12.35, "taxes": IVA0}]},
        {"items": [{**ITEM, "unit_price": 10.01, "quantity": 1}, {**ITEM, "unit_price": 10.01, "quantity": 1},
                   {**ITEM, "unit_price": 0.03, "quantity": 1}]},
        {"items": [{**ITEM, "unit_price": 1234.5, "quantity": 1}], "payment_form": "28"},
        {"client": {"id": ready.client_id}}, {"client": {"id": ready.client_id}}, {},
    ]
    receipts = []
    for day, body in enumerate(bodies):
        receipt = make_receipt(ready, **{"payment_form": "01", **body})
        created = noon + day * 3 * 86400_000
        move_created(receipt["id"], created, created + 30 * 86400_000)
        receipts.append(receipt)
    for receipt in receipts[5:7]:
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers)
        assert res.status_code == 200, res.text
    assert ready.client.delete(f"/v2/receipts/{receipts[7]['id']}", headers=ready.headers).status_code == 200
    return receipts, start


def _run(ready: Ready) -> dict[str, Any]:
    res = ready.client.post("/v2/invoices/eom/run", headers={**ready.headers, "Content-Type": "application/json"})
    assert res.status_code == 200, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


class TestEndOfMonth:
    def test_one_global_invoice_of_exactly_the_unclaimed_receipts(self, ready: Ready) -> None:
        receipts, start = _month_of_receipts(ready)
        unclaimed = receipts[:5]
        result = _run(ready)
        assert len(result["invoices"]) == 1 and result["receipts"] == 5 and result["failed"] == []
        invoice = ready.client.get(f"/v2/invoices/income/{result['invoices'][0]}", headers=ready.headers).json()["data"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, invoice["uuid"]))
        receptor = root.find(f"{CFDI}Receptor")
        assert (receptor.get("Rfc"), receptor.get("Nombre"), receptor.get("RegimenFiscalReceptor"),
                receptor.get("UsoCFDI")) == ("XAXX010101000", "PUBLICO EN GENERAL", "616", "S01")
        assert receptor.get("DomicilioFiscalReceptor") == root.get("LugarExpedicion")
        info = root.find(f"{CFDI}InformacionGlobal")
        assert (info.get("Periodicidad"), info.get("Meses"), info.get("Año")) == ("04", f"{start.month:02d}",
                                                                                   str(start.year))
        assert root.get("MetodoPago") == "PUE" and root.get("FormaPago") == "28"  # the largest receipt's
        conceptos = root.findall(f"{CFDI}Conceptos/{CFDI}Concepto")
        folios = [f"R{r['folio_number']}" for r in unclaimed]
        assert sorted({c.get("NoIdentificacion") for c in conceptos}) == sorted(folios)
        for c in conceptos:
            assert (c.get("ClaveProdServ"), c.get("ClaveUnidad"), c.get("Cantidad"), c.get("Descripcion")) == (
                "01010101", "ACT", "1", "Venta")
        per_receipt = [sum(1 for c in conceptos if c.get("NoIdentificacion") == f) for f in folios]
        assert per_receipt[0] == per_receipt[1] == per_receipt[4] == 1 and per_receipt[2] == 2  # two tax rates
        assert per_receipt[3] == 3  # merged, its IVA would round a cent away from the receipt's own
        expected = sum((Decimal(str(r["total"])) for r in unclaimed), Decimal(0))
        assert Decimal(root.get("Total")) == expected
        assert Decimal(root.get("SubTotal")) == sum((Decimal(str(r["subtotal"])) for r in unclaimed), Decimal(0))
        taxes = root.find(f"{CFDI}Impuestos").get("TotalImpuestosTrasladados")
        assert Decimal(taxes) == sum((Decimal(str(r["taxes"])) for r in unclaimed), Decimal(0))

        listed = ready.client.get("/v2/receipts", headers=ready.headers, params={"limit": "20"}).json()["data"]
        status = {r["id"]: (r["status"], r["global_invoice_id"]) for r in listed}
        assert all(status[r["id"]] == ("completed", invoice["id"]) for r in unclaimed)
        assert [status[r["id"]][0] for r in receipts[5:]] == ["invoiced", "invoiced", "cancelled"]
        assert _run(ready) == {"invoices": [], "receipts": 0, "failed": []}

    def test_the_current_period_waits(self, ready: Ready) -> None:
        make_receipt(ready)
        today = datetime.now(MEXICO_TZ).date()
        last_day = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        result = _run(ready)
        assert result["receipts"] == (1 if today == last_day else 0)

    def test_disabled_by_the_team(self, ready: Ready) -> None:
        ready.client.put(f"/v2/teams/{ready.account.team_id}/settings", headers=ready.headers,
                         json={"global_invoice_disabled": True})
        res = ready.client.post("/v2/invoices/eom/run", headers=ready.headers)
        assert res.status_code == 400 and res.json()["error"]["code"] == "global_invoice_disabled"


class TestExactlyOnce:
    def test_two_workers_at_once_include_each_receipt_once(self, ready: Ready) -> None:
        _, noon = _last_month()
        for day in range(6):
            move_created(make_receipt(ready)["id"], noon + day * 86400_000)
        results: list[Any] = []
        workers = [threading.Thread(target=lambda: results.append(
            run_global_invoices.call_local(ready.account.team_id, False))) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sorted(r["receipts"] for r in results) == [0, 6], results
        invoices = ready.client.get("/v2/invoices/income", headers=ready.headers).json()["data"]
        assert len(invoices) == 1 and invoices[0]["status"] == "valid"


class TestNominativeAfterGlobal:
    def test_global_cancelled_with_motive_04_and_issued_again_without_it(self, ready: Ready) -> None:
        _, noon = _last_month()
        receipts = [make_receipt(ready) for _ in range(3)]
        for i, r in enumerate(receipts):
            move_created(r["id"], noon + i * 86400_000, int(datetime.now().timestamp() * 1000) + 86400_000)
        first_global = _run(ready)["invoices"][0]
        res = ready.client.post(f"/v2/receipts/{receipts[0]['id']}/stamp", headers=ready.headers,
                                json={"fiscal_information": {"tax_id": "XIQB891116QE4", "legal_name":
                                      "BERENICE XIMO QUEZADA", "tax_system": "612", "zip": "36257", "use": "G03"}})
        assert res.status_code == 200, res.text
        old = ready.client.get(f"/v2/invoices/income/{first_global}", headers=ready.headers).json()["data"]
        assert old["status"] == "cancelled" and old["cancellation"]["motive"] == "04"
        others = [ready.client.get(f"/v2/receipts/{r['id']}", headers=ready.headers).json()["data"]
                  for r in receipts[1:]]
        new_global = others[0]["global_invoice_id"]
        assert new_global and new_global != first_global and others[1]["global_invoice_id"] == new_global
        new = ready.client.get(f"/v2/invoices/income/{new_global}", headers=ready.headers).json()["data"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, new["uuid"]))
        assert sorted(c.get("NoIdentificacion") for c in root.findall(f"{CFDI}Conceptos/{CFDI}Concepto")) == sorted(
            f"R{r['folio_number']}" for r in receipts[1:])
        assert res.json()["data"]["receipt"]["status"] == "invoiced"
