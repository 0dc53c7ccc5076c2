"""SAT catalogs as the Catalogs API returns them: the codes in force today, in SAT's order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from timbre.catalogs import search, store

SI = store.SI
BIMESTER_FROM = 13  # c_Meses 13–18 are the bimesters (Enero-Febrero, ...)

# path under /v2/catalogs → (SAT catalog, what it is)
CATALOGS: dict[str, tuple[str, str]] = {
    "tax-regimes": ("c_RegimenFiscal", "Tax regimes (régimen fiscal) and the kind of person each applies to"),
    "payment-forms": ("c_FormaPago", "Payment forms (forma de pago: 01 cash, 03 transfer, 04 card, ...)"),
    "cfdi-uses": ("c_UsoCFDI", "CFDI uses with the kinds of person and receiver regimes each allows"),
    "payment-methods": ("c_MetodoPago", "Payment methods: PUE (paid at once) and PPD (in installments)"),
    "months": ("c_Meses", "Months and bimesters of global invoices"),
    "relationship-types": ("c_TipoRelacion", "How a CFDI relates to earlier ones (credit note, substitution...)"),
    "currencies": ("c_Moneda", "Currencies and their decimal places"),
    "countries": ("c_Pais", "Countries (ISO 3166 alpha-3)"),
    "periodicities": ("c_Periodicidad", "Periodicity of global invoices"),
    "cancellation-motives": ("c_MotivoCancelacion", "Reasons to cancel a CFDI (01–04)"),
    "product-keys": ("c_ClaveProdServ", "Search product/service keys by code or words (?q=)"),
    "unit-keys": ("c_ClaveUnidad", "Search unit keys by code or words (?q=)"),
    "postal-codes": ("c_CodigoPostal", "Look up a postal code (/postal-codes/{code})"),
}


def _in_force(catalog: str) -> list[store.Row]:
    today = store.mexico_today()
    return [row for row in store.rows(catalog) if store.in_force(catalog, row["code"], today)]


def _entry(row: store.Row) -> dict[str, Any]:
    return {"code": row["code"], "description": row["description"]}


def tax_regimes() -> list[dict[str, Any]]:
    return [{**_entry(r), "persona_fisica": r["applies_fisica"] == SI, "persona_moral": r["applies_moral"] == SI}
            for r in _in_force("c_RegimenFiscal")]


def cfdi_uses() -> list[dict[str, Any]]:
    return [{**_entry(r), "persona_fisica": r["applies_fisica"] == SI, "persona_moral": r["applies_moral"] == SI,
             "tax_systems": [code for code in r["regimenes_receptor"].split(";") if code]}
            for r in _in_force("c_UsoCFDI")]


def payment_forms() -> list[dict[str, Any]]:
    return [{**_entry(r), "bancarizado": r["bancarizado"] == SI} for r in _in_force("c_FormaPago")]


def months() -> list[dict[str, Any]]:
    return [{**_entry(r), "kind": "bimester" if int(r["code"]) >= BIMESTER_FROM else "month"}
            for r in _in_force("c_Meses")]


def currencies() -> list[dict[str, Any]]:
    return [{**_entry(r), "decimals": int(r["decimales"])} for r in store.rows("c_Moneda")]


def cancellation_motives() -> list[dict[str, Any]]:
    return [{**_entry(r), "requires_replacement": r["folio_sustitucion"] == "Requerido",
             "replacement_relationship": r["tipo_relacion_en_cfdi_sustituto"] or None}
            for r in store.rows("c_MotivoCancelacion")]


def _plain(catalog: str) -> Callable[[], list[dict[str, Any]]]:
    return lambda: [_entry(r) for r in _in_force(catalog)]


payment_methods = _plain("c_MetodoPago")
relationship_types = _plain("c_TipoRelacion")
countries = _plain("c_Pais")
periodicities = _plain("c_Periodicidad")


def product_keys(q: str, limit: int) -> list[dict[str, Any]]:
    return [{"code": m.code, "description": m.description, "score": m.score}
            for m in search.search_product_keys(q, limit)]


def unit_keys(q: str, limit: int) -> list[dict[str, Any]]:
    return [{"code": m.code, "description": m.description, "score": m.score} for m in search.search_unit_keys(q, limit)]


def postal_code(code: str) -> dict[str, Any] | None:
    row = store.get("c_CodigoPostal", code)
    if row is None:
        return None
    return {"code": row["code"], "state": row["estado"], "municipality": row["municipio"],
            "locality": row["localidad"], "border_region": row["estimulo_franja_fronteriza"] not in ("", "0"),
            "time_zone": row["huso_horario"]}
