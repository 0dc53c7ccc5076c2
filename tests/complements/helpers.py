"""Helpers of the payment complement tests: PPD invoices and payments through the API, and the
Pagos 2.0 nodes of a stamped complement read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready

PAGOS = "{http://www.sat.gob.mx/Pagos20}"


def ppd_invoice(ready: Ready, unit_price: float = 100000.0, **overrides: Any) -> dict[str, Any]:
    res = ready.create(items=[ready.item(quantity=1, unit_price=unit_price)], payment_method="PPD",
                       payment_form="99", **overrides)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def pay(ready: Ready, *invoices: tuple[str, float], **overrides: Any) -> Any:
    body: dict[str, Any] = {"invoices": [{"uuid": uuid, "amount": amount} for uuid, amount in invoices],
                            "payment_form": "03", "currency": "MXN"}
    body.update(overrides)
    return ready.client.post("/v2/invoices/payment", headers=ready.headers, json=body)


def stamped_pagos(ready: Ready, uuid: str) -> Any:
    """The Pagos node of a stamped complement, after checking XSD, seal and TFD."""
    root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, uuid))
    assert root.get("TipoDeComprobante") == "P" and root.get("Total") == "0" and root.get("Moneda") == "XXX"
    pagos = root.find(f".//{PAGOS}Pagos")
    assert pagos is not None
    return pagos


def dec(node: Any, attribute: str) -> Decimal:
    return Decimal(node.get(attribute))


def invoice(ready: Ready, uuid: str) -> dict[str, Any]:
    res = ready.client.get(f"/v2/invoices/income/{uuid}", headers=ready.headers)
    assert res.status_code == 200, res.text
    data: dict[str, Any] = res.json()["data"]
    return data
