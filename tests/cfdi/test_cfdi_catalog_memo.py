"""satcfdi's catalog lookups from memory (`cfdi.catalog_memo`): the same answers as satcfdi's own query."""

from __future__ import annotations

import satcfdi.catalogs as satcfdi_catalogs
from satcfdi.catalogs import catalog_code, moneda_decimales

from timbre.cfdi import catalog_memo

ORIGINAL = catalog_memo._ORIGINAL


class TestCatalogLookups:
    def test_installed_when_the_cfdi_core_is_imported(self) -> None:
        assert satcfdi_catalogs.select is catalog_memo.select

    def test_answers_as_satcfdi_does(self) -> None:
        for catalog, key in [("C756_c_RegimenFiscal", "601"), ("C756_c_FormaPago", "03"), ("C756_c_Moneda", "USD"),
                             ("C756_c_Impuesto", "002"), ("C756_c_RegimenFiscal", "no such code")]:
            for _ in range(2):  # the first read and the remembered one
                assert catalog_memo.select(catalog, key) == ORIGINAL(catalog, key)
        assert catalog_memo.select("C756_c_RegimenFiscal", "no such code") is None
        assert moneda_decimales("USD") == 2
        assert catalog_code("C756_c_RegimenFiscal", "601").description == ORIGINAL("C756_c_RegimenFiscal", "601")

    def test_every_caller_gets_its_own_objects(self) -> None:
        first = catalog_memo.select("C756_c_Moneda", "MXN")
        assert isinstance(first, list)
        first.append("changed by a caller")
        assert catalog_memo.select("C756_c_Moneda", "MXN") == ORIGINAL("C756_c_Moneda", "MXN")

    def test_an_unhashable_key_is_asked_of_satcfdi(self) -> None:
        assert catalog_memo.select("C756_c_Moneda", ["MXN"]) == ORIGINAL("C756_c_Moneda", ["MXN"])
