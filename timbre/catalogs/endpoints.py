"""Catalogs API: SAT's CFDI 4.0 catalogs (spec §2.8) and a search over product and unit keys.

Read-only and the same for every team and mode: any API key (viewer role or above) may call them.
Lists return every entry in force today, in SAT's order, in the list envelope (no pagination).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Path, Query

from timbre.auth.dependencies import ReadAuth
from timbre.catalogs import service
from timbre.catalogs.schemas import (
    CancellationMotiveOut,
    CatalogEntry,
    CatalogInfo,
    CfdiUseOut,
    CurrencyOut,
    KeyMatchOut,
    MonthOut,
    PaymentFormOut,
    PostalCodeOut,
    TaxRegimeOut,
)
from timbre.errors import ERROR_RESPONSES, NotFound
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok

router = APIRouter(prefix="/catalogs", tags=["Catalogs"], responses=ERROR_RESPONSES)


def _all(message: str, data: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return listing(message, data, next=None, has_more=False, total=len(data))


@router.get("", response_model=ListEnvelope[CatalogInfo])
def list_catalogs(_auth: ReadAuth) -> dict[str, Any]:
    """The catalogs this API serves, with their paths under `/v2/catalogs`."""
    data = [{"name": name, "path": f"/v2/catalogs/{name}", "sat_catalog": sat, "description": text}
            for name, (sat, text) in service.CATALOGS.items()]
    return _all("Catalogs retrieved successfully", data)


def _catalog_route(path: str, model: type[CatalogEntry], build: Callable[[], list[dict[str, Any]]],
                   title: str) -> None:
    sat, description = service.CATALOGS[path]

    def endpoint(_auth: ReadAuth) -> dict[str, Any]:
        return _all(f"{title} retrieved successfully", build())

    endpoint.__name__ = f"catalog_{path.replace('-', '_')}"
    endpoint.__doc__ = f"{description} (SAT's {sat})."
    router.add_api_route(f"/{path}", endpoint, methods=["GET"], response_model=ListEnvelope[model],  # type: ignore[valid-type]
                         summary=title)


_catalog_route("tax-regimes", TaxRegimeOut, service.tax_regimes, "Tax regimes")
_catalog_route("payment-forms", PaymentFormOut, service.payment_forms, "Payment forms")
_catalog_route("cfdi-uses", CfdiUseOut, service.cfdi_uses, "CFDI uses")
_catalog_route("payment-methods", CatalogEntry, service.payment_methods, "Payment methods")
_catalog_route("months", MonthOut, service.months, "Months and bimesters")
_catalog_route("relationship-types", CatalogEntry, service.relationship_types, "Relationship types")
_catalog_route("currencies", CurrencyOut, service.currencies, "Currencies")
_catalog_route("countries", CatalogEntry, service.countries, "Countries")
_catalog_route("periodicities", CatalogEntry, service.periodicities, "Periodicities")
_catalog_route("cancellation-motives", CancellationMotiveOut, service.cancellation_motives, "Cancellation motives")


_QUERY = Query(..., min_length=1, max_length=100, description="A code, a code prefix or words (accents optional)")
_LIMIT = Query(10, ge=1, le=50)


@router.get("/product-keys", response_model=ListEnvelope[KeyMatchOut])
def search_product_keys(_auth: ReadAuth, q: str = _QUERY, limit: int = _LIMIT) -> dict[str, Any]:
    """Search SAT's product/service keys (c_ClaveProdServ) by code or by words, best first
    (`?q=consultoria` → consulting keys)."""
    return _all("Product keys retrieved successfully", service.product_keys(q, limit))


@router.get("/unit-keys", response_model=ListEnvelope[KeyMatchOut])
def search_unit_keys(_auth: ReadAuth, q: str = _QUERY, limit: int = _LIMIT) -> dict[str, Any]:
    """Search SAT's unit keys (c_ClaveUnidad) by code (`H87`) or by words (`pieza`, `servicio`), best first."""
    return _all("Unit keys retrieved successfully", service.unit_keys(q, limit))


@router.get("/postal-codes/{code}", response_model=Envelope[PostalCodeOut])
def get_postal_code(_auth: ReadAuth, code: str = Path(..., max_length=10)) -> dict[str, Any]:
    """Look up a postal code in SAT's c_CodigoPostal (404 if SAT does not have it)."""
    found = service.postal_code(code)
    if found is None:
        raise NotFound("Postal code not found", f"{code!r} is not in SAT's c_CodigoPostal catalog")
    return ok("Postal code retrieved successfully", found)
