"""One test per rule of the filling guide the API's input can break: each breaks exactly that rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from tests.cfdi.cfdi_samples import FECHA
from tests.cfdi.retenciones.samples import EXTRANJERO, retencion, servicio
from timbre.cfdi.retenciones import complementos as c
from timbre.cfdi.retenciones import rules
from timbre.cfdi.retenciones.build import ImpRetenido, RetencionInput


def _platforms(**overrides: Any) -> RetencionInput:
    return retencion("26", FECHA, complementos={"ServiciosPlataformasTecnologicas": c.plataformas(
        "04", [servicio(**overrides)], iva_retenido=D("80.00"), isr_retenido=D("10.00"))})


def _imp(**overrides: Any) -> RetencionInput:
    return retencion("01", FECHA, imp_retenidos=[replace(ImpRetenido("001", D("1000"), D("10"), "01"), **overrides)])


BROKEN: dict[str, Callable[[], RetencionInput]] = {
    "RET20001": lambda: retencion("01", FECHA, cve_retenc="29"),
    "RET20002": lambda: retencion("01", FECHA, cve_retenc="25"),
    "RET20003": lambda: retencion("01", FECHA, mes_ini="13", mes_fin="13"),
    "RET20004": lambda: retencion("01", FECHA, mes_ini="07", mes_fin="06"),
    "RET20005": lambda: retencion("01", FECHA, ejercicio="2027"),
    "RET20006": lambda: retencion("01", FECHA, monto_tot_exent=D("1000.01")),
    "RET20007": lambda: _imp(impuesto="004"),
    "RET20008": lambda: _imp(tipo_pago="05"),
    "RET20009": lambda: _imp(monto=D("1000.01")),
    "RET20010": lambda: retencion("26", FECHA, complementos={}),
    "RET20011": lambda: retencion("18", FECHA, receptor=retencion("01", FECHA).receptor),
    "RETC0001": lambda: _platforms(fecha=date(2026, 5, 31)),
    "RETC0002": lambda: retencion("26", FECHA, complementos={"ServiciosPlataformasTecnologicas": c.plataformas(
        "04", [servicio(tasa_iva=D(0))], iva_retenido=D("80.00"), isr_retenido=D("10.00"))}),
    "RETC0003": lambda: retencion("26", FECHA, monto_tot_operacion=D("1200.00")),
    "RETC0004": lambda: _platforms(comision=D("-1")),
    "RETC0005": lambda: retencion("18", FECHA, receptor=EXTRANJERO, complementos={"Pagosaextranjeros":
                                  c.pagos_extranjeros(beneficiario_efectivo=True, concepto="1", descripcion="x")}),
    "RETC0006": lambda: retencion("16", FECHA, complementos={"Intereses": c.intereses(
        sistema_financiero=True, retirados=False, derivados=False, nominal=D(1), real=D(1), perdida=D(-1))}),
    "RETC0007": lambda: _platforms(tasa_iva=D("0.10")),
}


class TestGuideRules:
    @pytest.mark.parametrize("key", ["26", "14", "16", "18", "06", "01"])
    def test_valid_documents_break_no_rule(self, key: str) -> None:
        assert rules.check(retencion(key, FECHA)) == []

    @pytest.mark.parametrize("code", sorted(BROKEN))
    def test_each_rule_is_reported_with_its_code_and_field(self, code: str) -> None:
        found = rules.check(BROKEN[code]())
        assert {v.code for v in found} == {code}, found
        assert found[0].message.startswith(found[0].field)

    def test_every_rule_of_the_catalog_has_a_breaking_case(self) -> None:
        # RET20012 (SAT's schemas) is broken through the API: tests/retentions/test_retentions_schema_rule.py
        assert {r.code for r in rules.REGLAS} == set(BROKEN) | {rules.SCHEMA}

    def test_schema_errors_name_the_request_field(self) -> None:
        errors = ["line 2: Element '{http://www.sat.gob.mx/esquemas/retencionpago/1/dividendos}DividOUtil', attribute "
                  "'CveTipDivOUtil': [facet 'enumeration'] The value '99' is not an element of the set {'01'}.",
                  "line 2: Element '{http://www.sat.gob.mx/esquemas/retencionpago/2}Unknown': This element is not "
                  "expected."]
        found = rules.schema_violations(errors)
        assert [(v.code, v.field) for v in found] == [("RET20012", "dividends.dividend_type"),
                                                      ("RET20012", "document")]
        assert found[0].message == f"dividends.dividend_type: {errors[0]}"

    def test_complement_of_another_key_is_refused(self) -> None:
        document = retencion("14", FECHA)
        document.complementos.update(retencion("16", FECHA).complementos)
        assert [v.code for v in rules.check(document)] == ["RET20010"]

    def test_key_25_with_a_description_passes(self) -> None:
        assert rules.check(retencion("01", FECHA, cve_retenc="25", desc_retenc="Otra retención")) == []
