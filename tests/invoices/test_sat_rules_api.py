"""SAT's CFDI 4.0 error matrix through the API: every rule a request can break is broken by one request
here, and the 400 names SAT's code and the request field. The rules no request can reach are listed with
the reason (the schema refuses the value first, or Timbre computes the value itself); the rules engine's
own tests cover them against documents built directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.invoices.conftest import CLIENT, Ready
from timbre.cfdi.rules import catalog

OTHER_UUID = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"
YEAR = datetime.now(UTC).year
PUBLICO = {"id": "client_publico_general"}
Build = Callable[[Ready], dict[str, Any]]


def client(**fields: Any) -> dict[str, Any]:
    return {**CLIENT, **fields}


def foreign(**fields: Any) -> dict[str, Any]:
    base = {"legal_name": "ACME INC", "tax_id": "XEXX010101000", "tax_system": "616", "use": "S01",
            "address": {"country": "USA"}, "foreign_tax_id": "123456789"}
    return {**base, **fields}


def third(**fields: Any) -> dict[str, Any]:
    return {"tax_id": "JUFA7608212V6", "legal_name": "ADRIANA JUAREZ FERNANDEZ", "tax_system": "612",
            "zip": "29133", **fields}


def glob(periodicity: str = "04", months: str = "01", year: int = YEAR) -> dict[str, Any]:
    return {"periodicity": periodicity, "months": months, "year": year}


IVA = {"type": "IVA", "rate": 0.16}
ISR_RET = {"type": "ISR", "rate": 0.10, "withholding": True}

# code -> (the request, the request field the violation must name)
TRIGGERED: dict[str, tuple[Build, str]] = {
    "CFDI40104": (lambda r: r.body(payment_form="77"), "payment_form"),
    "CFDI40105": (lambda r: r.body(payment_method="PPD", payment_form="03"), "payment_form"),
    "CFDI40113": (lambda r: r.body(currency="ABC", exchange_rate=2), "currency"),
    "CFDI40114": (lambda r: r.body(exchange_rate=2), "exchange_rate"),
    "CFDI40115": (lambda r: r.body(currency="USD"), "exchange_rate"),
    "CFDI40116": (lambda r: r.body(currency="XXX", exchange_rate=1), "exchange_rate"),
    "CFDI40120": (lambda r: r.body(items=[r.item(quantity=1000000, unit_price=1e15, taxes=[])]), "items"),
    "CFDI40122": (lambda r: r.body(exports="02"), "exports"),
    "CFDI40123": (lambda r: r.body(exports="05"), "exports"),
    "CFDI40124": (lambda r: r.body(payment_method="XYZ"), "payment_method"),
    "CFDI40126": (lambda r: r.body(), "team.address.zip"),  # the team's zip is set to 00001 below
    "CFDI40130": (lambda r: r.body(client=PUBLICO, use="S01"), "global"),
    "CFDI40131": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob("09")}), "global.periodicity"),
    "CFDI40132": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob("05", "13")}), "team.tax_system"),
    "CFDI40133": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob("04", "19")}), "global.months"),
    "CFDI40134": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob("04", "13")}), "global.months"),
    "CFDI40135": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob("05", "01")}), "global.months"),
    "CFDI40136": (lambda r: r.body(client=PUBLICO, use="S01", **{"global": glob(year=2020)}), "global.year"),
    "CFDI40137": (lambda r: r.body(related_documents=[{"relationship": "99", "documents": [OTHER_UUID]}]),
                  "related_documents[0].relationship"),
    "CFDI40143": (lambda r: r.body(client=client(tax_id="XIQB891116")), "client.tax_id"),
    "CFDI40146": (lambda r: r.body(client=client(legal_name="PUBLICO EN GENERAL")), "client.legal_name"),
    "CFDI40147": (lambda r: r.body(client=client(address={"zip": "00001"})), "client.address.zip"),
    "CFDI40150": (lambda r: r.body(use="S01", client=foreign(address={"country": "QQQ"})), "client.address.country"),
    "CFDI40152": (lambda r: r.body(use="S01", client=foreign(address={"country": "MEX"})), "client.address.country"),
    "CFDI40153": (lambda r: r.body(use="S01", client=foreign(address={})), "client.address.country"),
    "CFDI40156": (lambda r: r.body(use="S01", client=foreign(foreign_tax_id="12")), "client.foreign_tax_id"),
    "CFDI40157": (lambda r: r.body(client=client(tax_system="999")), "client.tax_system"),
    "CFDI40158": (lambda r: r.body(client=client(tax_system="601")), "client.tax_system"),
    "CFDI40159": (lambda r: r.body(client=client(tax_id="XAXX010101000", tax_system="601", use="S01")),
                  "client.tax_system"),
    "CFDI40160": (lambda r: r.body(use="Z99"), "use"),
    "CFDI40161": (lambda r: r.body(use="CN01"), "use"),
    "CFDI40162": (lambda r: r.body(items=[r.item(product_key="99999999")]), "items[0].product_key"),
    "CFDI40165": (lambda r: r.body(items=[r.item(unit_key="ZZZ")]), "items[0].unit_key"),
    "CFDI40166": (lambda r: r.body(items=[r.item(unit_price=0, taxes=[])]), "items[0].unit_price"),
    "CFDI40169": (lambda r: r.body(items=[r.item(discount=5000)]), "items[0].discount"),
    "CFDI40170": (lambda r: r.body(items=[r.item(taxability="09")]), "items[0].taxability"),
    "CFDI40171": (lambda r: r.body(items=[r.item(taxability="02", taxes=[])]), "items[0].taxes"),
    "CFDI40172": (lambda r: r.body(items=[r.item(taxability="01")]), "items[0].taxes"),
    "CFDI40174": (lambda r: r.body(items=[r.item(unit_price=0)]), "items[0].taxes[0]"),
    "CFDI40179": (lambda r: r.body(items=[r.item(taxes=[{**IVA, "rate": 0.15}])]), "items[0].taxes[0].rate"),
    "CFDI40181": (lambda r: r.body(items=[r.item(unit_price=0, taxes=[ISR_RET])]), "items[0].taxes[0]"),
    "CFDI40185": (lambda r: r.body(items=[r.item(taxes=[IVA, {**ISR_RET, "rate": 0.5}])]), "items[0].taxes[1].rate"),
    "CFDI40187": (lambda r: r.body(items=[r.item(third_party=third(tax_id="JUFA760821"))]),
                  "items[0].third_party.tax_id"),
    "CFDI40188": (lambda r: r.body(items=[r.item(third_party=third(tax_id="EKU9003173C9"))]),
                  "items[0].third_party.tax_id"),
    "CFDI40189": (lambda r: r.body(items=[r.item(third_party=third(tax_id="EXT990101NI1", tax_system="616",
                                                                   zip="42501"))]),
                  "items[0].third_party.legal_name"),
    "CFDI40191": (lambda r: r.body(items=[r.item(third_party=third(tax_system="999"))]),
                  "items[0].third_party.tax_system"),
    "CFDI40192": (lambda r: r.body(items=[r.item(third_party=third(zip="00001"))]), "items[0].third_party.zip"),
    "CFDI40193": (lambda r: r.body(items=[r.item(third_party=third(tax_id="EXT990101NI1", tax_system="616",
                                                                   legal_name="PUBLICO EN GENERAL"))]),
                  "items[0].third_party.zip"),
    "CFDI40219": (lambda r: r.body(items=[r.item(taxes=[{**IVA, "rate": 0.15}])]), "items"),
    "CFDI140223": (lambda r: r.body(items=[r.item(third_party=third(tax_id="EXT990101NI1", zip="42501",
                                                                    legal_name="PUBLICO EN GENERAL"))]),
                   "items[0].third_party.tax_system"),
    "CFDI140226": (lambda r: r.body(items=[r.item(taxability="06")]), "items[0].taxes"),
    "CFDI140227": (lambda r: r.body(items=[r.item(taxability="07")]), "items[0].taxes"),
}

# code -> (request, field): the payload schema refuses these values (422), before any rule could run.
REFUSED_BY_SCHEMA: dict[str, tuple[Build, str]] = {
    "CFDI40117": (lambda r: r.body(currency="USD", exchange_rate=17.1234567), "exchange_rate"),
    "CFDI40175": (lambda r: r.body(items=[r.item(taxes=[{"type": "VAT", "rate": 0.16}])]), "items[0].taxes[0].type"),
    "CFDI40176": (lambda r: r.body(items=[r.item(taxes=[{**IVA, "factor": "Rate"}])]), "items[0].taxes[0].factor"),
    "CFDI40182": (lambda r: r.body(items=[r.item(taxes=[{**ISR_RET, "type": "TAX"}])]), "items[0].taxes[0].type"),
    "CFDI40183": (lambda r: r.body(items=[r.item(taxes=[{**ISR_RET, "factor": "Rate"}])]),
                  "items[0].taxes[0].factor"),
    "CFDI40184": (lambda r: r.body(items=[r.item(taxes=[{"type": "IVA", "factor": "Exento", "withholding": True}])]),
                  "items[0].taxes[0]"),
    "CFDI40207": (lambda r: r.body(items=[r.item(taxes=[{**ISR_RET, "type": "IEPX"}])]), "items[0].taxes[0].type"),
    "CFDI40217": (lambda r: r.body(items=[r.item(taxes=[{**IVA, "type": "IEPX"}])]), "items[0].taxes[0].type"),
}

_ENGINE = "Timbre computes it with the tax engine (amounts, rounding, grouping), so no request can make it wrong"
_TYPES = "the API issues only income (I) and egress (E) documents"
_LCO = "needs SAT's list of registered taxpayers (LCO), which only SAT and the PACs hold"
NOT_REACHABLE: dict[str, str] = {
    "CFDI40103": _TYPES, "CFDI40109": _TYPES, "CFDI40111": _TYPES, "CFDI40121": _TYPES, "CFDI40125": _TYPES,
    "CFDI40201": _TYPES,
    "CFDI40107": _ENGINE, "CFDI40108": _ENGINE, "CFDI40110": "each discount is checked against its item first "
    "(CFDI40169), so the sum never exceeds the subtotal", "CFDI40112": _ENGINE, "CFDI40119": _ENGINE,
    "CFDI40167": _ENGINE, "CFDI40168": _ENGINE, "CFDI40173": _ENGINE, "CFDI40177": _ENGINE, "CFDI40178": _ENGINE,
    "CFDI40180": _ENGINE, "CFDI40186": _ENGINE, "CFDI40202": _ENGINE, "CFDI40203": _ENGINE, "CFDI40204": _ENGINE,
    "CFDI40205": _ENGINE, "CFDI40206": _ENGINE, "CFDI40208": _ENGINE, "CFDI40209": _ENGINE, "CFDI40210": _ENGINE,
    "CFDI40211": _ENGINE, "CFDI40212": _ENGINE, "CFDI40213": _ENGINE, "CFDI40214": _ENGINE, "CFDI40215": _ENGINE,
    "CFDI40216": _ENGINE, "CFDI40218": _ENGINE, "CFDI40220": _ENGINE, "CFDI40221": _ENGINE,
    "CFDI40118": "needs the day's reference exchange rate (Banxico), which Timbre does not have offline",
    "CFDI40138": _LCO, "CFDI40139": _LCO, "CFDI40144": _LCO, "CFDI40145": _LCO, "CFDI40148": _LCO,
    "CFDI40190": _LCO,
    "CFDI140224": "needs the issuer's retention mark in SAT's LCO", "CFDI140225": "needs the issuer's retention mark "
    "in SAT's LCO",
    "CFDI40140": "PUT /teams refuses a tax regime outside c_RegimenFiscal",
    "CFDI40141": "PUT /teams refuses a tax regime of the other kind of person",
    "CFDI40149": "Timbre writes the issuer's zip as a generic receiver's DomicilioFiscalReceptor",
    "CFDI40151": "Timbre writes ResidenciaFiscal for foreign receivers (XEXX010101000) only",
    "CFDI40154": "Timbre writes NumRegIdTrib for foreign receivers (XEXX010101000) only",
    "CFDI40163": "c_ClaveProdServ's required-complement column is not in SAT's published data Timbre ships",
    "CFDI40164": "c_ClaveProdServ's required-tax columns are not in SAT's published data Timbre ships",
    "CFDI40222": "Timbre never adds the Comercio Exterior complement",
    "CFDI40155": "applies with the Comercio Exterior complement only, which Timbre never adds",
    "CFDI40999": "unclassified: reached through the rules above (e.g. a related CFDI that was cancelled, tested in "
                 "test_create.py)",
}


def _codes(body: dict[str, Any]) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for d in body["error"]["details"] or []:
        code = d.get("code") or d.get("sat_code")
        if code:
            found.setdefault(code, []).append(d.get("field"))
    return found


def test_the_three_lists_cover_every_api_triggerable_rule_of_the_matrix() -> None:
    matrix = {i.code for i in catalog() if i.matrix == "CFDI40" and i.api_triggerable}
    listed = set(TRIGGERED) | set(REFUSED_BY_SCHEMA) | set(NOT_REACHABLE)
    assert listed == matrix
    assert not set(TRIGGERED) & set(NOT_REACHABLE) and not set(TRIGGERED) & set(REFUSED_BY_SCHEMA)


@pytest.mark.parametrize("code", sorted(TRIGGERED))
def test_a_request_breaking_the_rule_gets_its_code_and_field(ready: Ready, code: str) -> None:
    build, field = TRIGGERED[code]
    if code == "CFDI40126":
        res = ready.client.put(f"/v2/teams/{ready.account.team_id}", headers=ready.headers,
                               json={"address": {"zip": "00001"}})
        assert res.status_code == 200
    res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=build(ready))
    assert res.status_code == 400, res.text
    found = _codes(res.json())
    assert code in found, res.json()["error"]
    assert any(f == field or (f or "").startswith(field) for f in found[code]), (found[code], field)
    detail = next(d for d in res.json()["error"]["details"] if (d.get("code") or d.get("sat_code")) == code)
    assert detail["message"]
    # Nothing was taken: no invoice, no folio.
    listed = ready.client.get("/v2/invoices/income", headers=ready.headers).json()
    assert listed["total_results"] == 0


@pytest.mark.parametrize("code", sorted(REFUSED_BY_SCHEMA))
def test_values_the_schema_refuses_never_reach_the_rules(ready: Ready, code: str) -> None:
    build, field = REFUSED_BY_SCHEMA[code]
    res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=build(ready))
    assert res.status_code == 422, res.text
    assert any(d["field"].startswith(field) for d in res.json()["error"]["details"]), res.json()["error"]


def test_rule_details_carry_sat_and_english_text_and_a_hint(ready: Ready) -> None:
    res = ready.create(payment_form="77", use="Z99")
    details = {d["code"]: d for d in res.json()["error"]["details"]}
    assert set(details) >= {"CFDI40104", "CFDI40160"}
    forma = details["CFDI40104"]
    assert forma["field"] == "payment_form"
    assert "c_FormaPago" in forma["message_es"]
    assert forma["message_en"] and forma["hint"]
    assert res.json()["message"] == "Invoice breaks SAT rules"
    assert "CFDI40104" in res.json()["error"]["message"] and "CFDI40160" in res.json()["error"]["message"]
