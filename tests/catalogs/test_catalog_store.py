from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

import pytest

from timbre.catalogs import store
from timbre.catalogs.store import UnknownCatalog

CODE_CATALOGS = [
    "c_RegimenFiscal", "c_UsoCFDI", "c_FormaPago", "c_Moneda", "c_Pais", "c_CodigoPostal",
    "c_ClaveProdServ", "c_ClaveUnidad", "c_Exportacion", "c_ObjetoImp", "c_Periodicidad", "c_Meses",
    "c_TipoRelacion", "c_MetodoPago", "c_Impuesto", "c_TipoDeComprobante", "c_TipoFactor",
    "c_MotivoCancelacion", "c_TipoCadenaPago", "c_Estado", "cfdi40_error_matrix",
]  # fmt: skip


class TestRows:
    @pytest.mark.parametrize("catalog", [*CODE_CATALOGS, "c_TasaOCuota"])
    def test_every_catalog_loads(self, catalog: str) -> None:
        rows = store.rows(catalog)
        assert len(rows) > 0
        assert all(isinstance(row, Mapping) and all(isinstance(v, str) for v in row.values()) for row in rows)

    @pytest.mark.parametrize("catalog", CODE_CATALOGS)
    def test_codes_are_unique(self, catalog: str) -> None:
        codes = [row["code"] for row in store.rows(catalog)]
        assert len(codes) == len(set(codes))

    def test_catalog_names_lists_the_data_files(self) -> None:
        names = store.catalog_names()
        assert set(CODE_CATALOGS) <= set(names)
        assert "c_TasaOCuota" in names

    def test_large_catalogs_are_complete(self) -> None:
        # SAT's catalogs hold about 52k product keys, 2.4k units and 95k zips.
        assert len(store.rows("c_ClaveProdServ")) > 50_000
        assert len(store.rows("c_ClaveUnidad")) > 2_000
        assert len(store.rows("c_CodigoPostal")) > 90_000

    def test_rows_are_read_only_mappings(self) -> None:
        row = store.get("c_UsoCFDI", "G03")
        assert row is not None
        assert dict(row) == {
            "code": "G03",
            "description": "Gastos en general.",
            "applies_fisica": "Sí",
            "applies_moral": "Sí",
            "valid_from": "2022-01-01",
            "valid_to": "",
            "regimenes_receptor": "601;603;606;612;620;621;622;623;624;625;626",
        }
        assert row == dict(row)
        with pytest.raises(TypeError):
            row["code"] = "X"  # type: ignore[index]

    def test_loaded_once_per_process(self) -> None:
        assert store.rows("c_CodigoPostal") is store.rows("c_CodigoPostal")


class TestGet:
    def test_codes_keep_leading_zeros(self) -> None:
        assert store.exists("c_FormaPago", "01")
        assert not store.exists("c_FormaPago", "1")
        assert store.get("c_Impuesto", "002") is not None

    def test_missing_code_is_none(self) -> None:
        assert store.get("c_UsoCFDI", "ZZZ") is None
        assert not store.exists("c_ClaveProdServ", "99999999")

    def test_codigo_postal_columns(self) -> None:
        tijuana = store.get("c_CodigoPostal", "22000")
        assert tijuana is not None
        assert (tijuana["estado"], tijuana["estimulo_franja_fronteriza"], tijuana["huso_horario"]) == (
            "BCN", "1", "Tiempo del Noroeste",
        )  # fmt: skip
        cdmx = store.get("c_CodigoPostal", "06600")
        assert cdmx is not None
        assert cdmx["estado"] == "CMX"
        assert cdmx["estimulo_franja_fronteriza"] == "0"

    def test_product_and_unit_keys(self) -> None:
        consultoria = store.get("c_ClaveProdServ", "80101500")
        assert consultoria is not None
        assert "consultoría" in consultoria["description"]
        pieza = store.get("c_ClaveUnidad", "H87")
        assert pieza is not None
        assert pieza["name"] == "Pieza"

    def test_pais_has_sats_format_patterns(self) -> None:
        usa, can, esp = store.get("c_Pais", "USA"), store.get("c_Pais", "CAN"), store.get("c_Pais", "ESP")
        assert usa is not None
        assert usa["patron_identidad_tributaria"] == "[0-9]{9}"
        assert can is not None
        assert can["patron_codigo_postal"] == "[A-Z][0-9][A-Z] [0-9][A-Z][0-9]"
        assert esp is not None
        assert esp["patron_identidad_tributaria"] == ""

    def test_estado_belongs_to_a_country(self) -> None:
        jalisco = store.get("c_Estado", "JAL")
        assert jalisco is not None
        assert (jalisco["pais"], jalisco["description"]) == ("MEX", "Jalisco")

    def test_error_matrix_is_a_catalog_too(self) -> None:
        row = store.get("cfdi40_error_matrix", "CFDI40158")
        assert row is not None
        assert row["attribute"] == "RegimenFiscalReceptor"

    def test_catalog_without_code_column_only_has_rows(self) -> None:
        with pytest.raises(UnknownCatalog):
            store.get("c_TasaOCuota", "0.160000")

    @pytest.mark.parametrize("name", ["c_Nope", "", "../pyproject", "/etc/passwd", ".hidden"])
    def test_unknown_catalog(self, name: str) -> None:
        with pytest.raises(UnknownCatalog):
            store.rows(name)


class TestInForce:
    def test_respects_valid_from(self) -> None:
        assert not store.in_force("c_Exportacion", "04", datetime.date(2022, 2, 24))
        assert store.in_force("c_Exportacion", "04", datetime.date(2022, 2, 25))
        assert not store.in_force("c_ObjetoImp", "06", datetime.date(2024, 12, 12))
        assert store.in_force("c_ObjetoImp", "06", datetime.date(2024, 12, 13))

    def test_defaults_to_today_in_mexico(self) -> None:
        assert store.in_force("c_UsoCFDI", "G03")
        assert store.mexico_today() <= datetime.datetime.now(datetime.UTC).date()

    def test_unknown_code_is_not_in_force(self) -> None:
        assert not store.in_force("c_UsoCFDI", "P01")
        assert not store.in_force("c_RegimenFiscal", "609")

    def test_catalogs_without_validity_columns(self) -> None:
        assert store.in_force("c_ClaveProdServ", "80101500", datetime.date(2000, 1, 1))

    def test_valid_to_is_inclusive(self) -> None:
        row = {"valid_from": "2022-01-01", "valid_to": "2023-06-30"}
        assert store._row_in_force(row, datetime.date(2023, 6, 30))
        assert not store._row_in_force(row, datetime.date(2023, 7, 1))
        assert not store._row_in_force(row, datetime.date(2021, 12, 31))


class TestCompatibility:
    def test_regimen_applies(self) -> None:
        assert store.regimen_applies("601", "moral")
        assert not store.regimen_applies("601", "fisica")
        assert store.regimen_applies("612", "fisica")
        assert not store.regimen_applies("612", "moral")
        assert store.regimen_applies("626", "fisica")
        assert store.regimen_applies("626", "moral")
        assert not store.regimen_applies("609", "moral")

    def test_uso_applies(self) -> None:
        assert store.uso_applies("G03", "moral")
        assert store.uso_applies("G03", "fisica")
        assert store.uso_applies("D01", "fisica")
        assert not store.uso_applies("D01", "moral")
        assert not store.uso_applies("P01", "fisica")

    def test_uso_allows_regimen(self) -> None:
        assert store.uso_allows_regimen("G03", "601")
        assert not store.uso_allows_regimen("G03", "616")
        assert store.uso_allows_regimen("S01", "616")
        assert store.uso_allows_regimen("CN01", "605")
        assert not store.uso_allows_regimen("CN01", "601")
        assert not store.uso_allows_regimen("G03", "60")  # whole codes, not substrings

    def test_moneda_decimales(self) -> None:
        assert store.moneda_decimales("MXN") == 2
        assert store.moneda_decimales("JPY") == 0
        assert store.moneda_decimales("KWD") == 3
        with pytest.raises(KeyError):
            store.moneda_decimales("ZZZ")


class TestTasaOCuota:
    ON = datetime.date(2026, 3, 1)

    @pytest.mark.parametrize(
        ("impuesto", "factor", "value", "traslado"),
        [
            ("002", "Tasa", "0.16", True),
            ("002", "Tasa", "0.160000", True),
            ("002", "Tasa", "0", True),
            ("002", "Tasa", "0.08", True),  # "IVA Crédito aplicado del 50%", border region
            ("002", "Tasa", "0.106667", False),  # retención: any rate up to 16%
            ("002", "Tasa", "0.16", False),
            ("001", "Tasa", "0.10", False),
            ("001", "Tasa", "0.0125", False),  # RESICO
            ("003", "Tasa", "0.265", True),
            ("003", "Tasa", "0.265", False),
            ("003", "Cuota", "72.1605", True),
            ("003", "Cuota", "1.5", False),
        ],
    )
    def test_allowed(self, impuesto: store.Impuesto, factor: str, value: str, traslado: bool) -> None:
        assert store.tasa_o_cuota_allowed(impuesto, factor, Decimal(value), traslado, self.ON)

    @pytest.mark.parametrize(
        ("impuesto", "factor", "value", "traslado"),
        [
            ("002", "Tasa", "0.15", True),  # not a fixed IVA rate
            ("002", "Tasa", "0.17", False),  # above the retención range
            ("002", "Exento", "0", True),
            ("002", "Cuota", "0.16", True),
            ("001", "Tasa", "0.10", True),  # ISR is never transferred
            ("001", "Tasa", "0.36", False),
            ("003", "Tasa", "0.03", False),  # this IEPS rate is traslado only
            ("003", "Cuota", "72.1606", True),
            ("003", "Tasa", "-0.01", True),
        ],
    )
    def test_refused(self, impuesto: store.Impuesto, factor: str, value: str, traslado: bool) -> None:
        assert not store.tasa_o_cuota_allowed(impuesto, factor, Decimal(value), traslado, self.ON)

    def test_validity_dates_are_respected(self) -> None:
        # The IEPS cuota range with max 72.1605 is in force from 2026-01-01.
        cuota = Decimal("70")
        assert store.tasa_o_cuota_allowed("003", "Cuota", cuota, True, datetime.date(2026, 1, 1))
        assert not store.tasa_o_cuota_allowed("003", "Cuota", cuota, True, datetime.date(2025, 12, 31))


def test_warm_loads_everything() -> None:
    store.warm()
    assert set(store.catalog_names()) <= set(store._cache)
