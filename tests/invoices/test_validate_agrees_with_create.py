"""Property (issue 13 item 4): `/invoices/validate` and create agree. Random invoice bodies — valid ones and
ones with every kind of trouble (repeated or inclusive taxes, unknown keys, SAT's forbidden `|`, characters XML
cannot hold, amounts at and beyond SAT's digits, discounts over the amount, foreign currencies) — go to both:
no body that validate calls valid fails to stamp, and none that create stamps was refused by validate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.invoices.conftest import Ready

IVA16 = {"type": "IVA", "rate": 0.16}
TAXES = [
    IVA16,
    {"type": "IVA", "rate": 0.08},
    {"type": "IVA", "rate": 0},
    {"type": "IVA", "factor": "Exento"},
    {"type": "IVA", "rate": 0.16, "inclusive": True},
    {"type": "IVA", "rate": 0.106667, "withholding": True},
    {"type": "ISR", "rate": 0.10, "withholding": True},
    {"type": "ISR", "rate": 0.0125, "withholding": True},
    {"type": "IEPS", "rate": 0.08},
    {"type": "IEPS", "rate": 0.265},
    {"type": "IVA", "rate": 0.15},
]
GOOD_TAXES = [[IVA16], [IVA16, TAXES[5], TAXES[6]], [TAXES[2]], [TAXES[3]], [TAXES[4]], [IVA16, TAXES[8]]]


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` about 11 times in 12: with a dozen such fields, enough documents stamp for the property to mean
    something, and each kind of trouble still comes up dozens of times."""
    return st.integers(0, 11).flatmap(lambda n: bad if n == 5 else good)  # 5: Hypothesis favours the ends


def _number(places: int, low: str, high: str) -> st.SearchStrategy[float]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False,
                       allow_infinity=False).map(float)


TEXT = mostly(
    st.sampled_from(["Consultoría", "Servicio mensual", "Diseño web — ñandú ✓", "Tab\there", "Línea\nnueva",
                     "&<>\"'", "x" * 1000]),
    st.one_of(st.sampled_from(["Servicio | mensual", "Hora\u0000extra", "\ufffe", "x" * 1001, "  "]),
              st.text(min_size=1, max_size=40)),
)
SHORT = mostly(st.sampled_from(["Servicio", "Hora", "Pieza ñ", "SKU-001"]),
               st.one_of(st.sampled_from(["A|B", "x\u0001", "x" * 101]), st.text(min_size=1, max_size=20)))
ITEM = st.fixed_dictionaries(
    {"description": TEXT,
     "quantity": mostly(_number(2, "0.01", "100"), st.one_of(_number(6, "0.000001", "1000"),
                                                             st.sampled_from([10**12, 10**9]))),
     "unit_price": mostly(_number(2, "0.01", "100000"), st.one_of(_number(6, "0", "1"),
                                                                  st.sampled_from([10**15, 0, 10**10]))),
     "product_key": mostly(st.just("80141503"), st.sampled_from(["01010101", "84111506", "99999999"])),
     "unit_key": mostly(st.just("E48"), st.sampled_from(["H87", "ACT", "ZZZ"]))},
    optional={"discount": mostly(st.just(0), _number(2, "0", "100000")),
              "taxes": mostly(st.sampled_from(GOOD_TAXES), st.lists(st.sampled_from(TAXES), max_size=3)),
              "unit_name": SHORT, "sku": SHORT,
              "taxability": mostly(st.just("02"), st.sampled_from(["01", "03", "04", "09"]))},
)
PAYMENT = mostly(st.sampled_from([{"payment_form": "03", "payment_method": "PUE"},
                                  {"payment_form": "99", "payment_method": "PPD"}, {"payment_form": "01"}]),
                 st.fixed_dictionaries({}, optional={
                     "payment_form": st.sampled_from(["01", "03", "04", "28", "99", "77"]),
                     "payment_method": st.sampled_from(["PUE", "PPD", "XYZ"])}))
CURRENCY = mostly(st.just({}), st.sampled_from([{"currency": "USD", "exchange_rate": 17.5}, {"currency": "USD"},
                                                {"currency": "XXX"}, {"currency": "MXN", "exchange_rate": 2},
                                                {"currency": "EUR", "exchange_rate": 0.000001}]))
HEADER = st.fixed_dictionaries({}, optional={
    "use": mostly(st.sampled_from(["G01", "G03"]), st.sampled_from(["S01", "P01", "CP01", "Z99"])),
    "invoice_pdf_notes": TEXT})
BODY = st.builds(lambda items, payment, currency, header: {"items": items, **payment, **currency, **header},
                 st.lists(ITEM, min_size=1, max_size=3), PAYMENT, CURRENCY, HEADER)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=BODY)
def test_validate_and_create_agree(ready: Ready, body: dict[str, Any]) -> None:
    body = {"client": {"id": ready.client_id}, **body}
    checked = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=body)
    assert checked.status_code in (200, 400, 422), checked.text
    valid = checked.status_code == 200 and checked.json()["data"]["valid"] is True
    created = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body)
    assert created.status_code in (201, 400, 422), created.text  # never a 5xx, never left pending (202)
    stamped = created.status_code == 201 and created.json()["data"]["status"] == "valid"
    assert valid == stamped, f"validate {checked.status_code} {checked.text[:800]}\ncreate {created.status_code} " \
                             f"{created.text[:800]}"
    event(f"create {created.status_code}")
    if created.status_code != 201:
        assert "invoice_id" not in created.json()  # refused before the reservation: no folio taken
