"""Baseline documents for the rules tests: a valid invoice and a valid payment complement, built
with satcfdi exactly as the application builds them, at a fixed instant (no test reads the clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from satcfdi.create.cfd import cfdi40, pago20

from timbre.cfdi.rules import RuleContext

D = Decimal
NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
FECHA = datetime(2026, 11, 20, 10, 0, 0)  # central Mexico wall clock, 16:00 UTC
UUID_A = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"
UUID_B = "0C5F4F4C-9C1F-4C8B-8E5B-6B8E7E2A9D11"
PEDIMENTO = "26  47  3807  6001234"

EMISOR = {"rfc": "EKU9003173C9", "nombre": "ESCUELA KEMPER URGATE", "regimen_fiscal": "601"}
RECEPTOR = {
    "rfc": "URE180429TM6",
    "nombre": "UNIVERSIDAD ROBOTICA ESPAÑOLA",
    "domicilio_fiscal_receptor": "86991",
    "regimen_fiscal_receptor": "601",
    "uso_cfdi": "G03",
}


def make_ctx(**overrides: Any) -> RuleContext:
    values: dict[str, Any] = {
        "now": NOW,
        "cert_not_before": datetime(2025, 1, 1, tzinfo=UTC),
        "cert_not_after": datetime(2029, 1, 1, tzinfo=UTC),
        "cert_rfc": "EKU9003173C9",
    }
    values.update(overrides)
    return RuleContext(**values)


def build_invoice(fecha: datetime = FECHA) -> cfdi40.Comprobante:
    """Income, MXN, PUE: a service with IVA 16% and ISR + IVA withheld on behalf of a third party,
    a licence exempt from IVA with a part and customs numbers, and an item not subject to tax."""
    servicio = cfdi40.Concepto(
        clave_prod_serv="80141503",
        cantidad=D("2"),
        clave_unidad="E48",
        descripcion="Servicios profesionales",
        valor_unitario=D("100.50"),
        descuento=D("1.00"),
        impuestos=cfdi40.Impuestos(
            traslados=[cfdi40.Traslado(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=D("0.160000"))],
            retenciones=[
                cfdi40.Retencion(impuesto="001", tipo_factor="Tasa", tasa_o_cuota=D("0.100000")),
                cfdi40.Retencion(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=D("0.106667")),
            ],
        ),
        a_cuenta_terceros=cfdi40.ACuentaTerceros(
            rfc_a_cuenta_terceros="JUFA7608212V6",
            nombre_a_cuenta_terceros="ADRIANA JUAREZ FERNANDEZ",
            regimen_fiscal_a_cuenta_terceros="612",
            domicilio_fiscal_a_cuenta_terceros="29133",
        ),
    )
    licencia = cfdi40.Concepto(
        clave_prod_serv="81111500",
        cantidad=D("1"),
        clave_unidad="H87",
        descripcion="Licencia",
        valor_unitario=D("5000.00"),
        impuestos=cfdi40.Impuestos(traslados=[cfdi40.Traslado(impuesto="002", tipo_factor="Exento")]),
        informacion_aduanera=["26  47  3807  6001235"],
        parte=[
            cfdi40.Parte(
                clave_prod_serv="43232408",
                cantidad=D("1"),
                descripcion="Modulo",
                valor_unitario=D("100.00"),
                importe=D("100.00"),
                informacion_aduanera=[PEDIMENTO],
            )
        ],
    )
    otro = cfdi40.Concepto(
        clave_prod_serv="01010101", cantidad=D("1"), clave_unidad="ACT", descripcion="Otro", valor_unitario=D("10.00"),
        objeto_imp="01",
    )  # fmt: skip
    return cfdi40.Comprobante(
        emisor=cfdi40.Emisor(**EMISOR),
        lugar_expedicion="42501",
        receptor=cfdi40.Receptor(**RECEPTOR),
        conceptos=[servicio, licencia, otro],
        moneda="MXN",
        tipo_de_comprobante="I",
        exportacion="01",
        serie="A",
        folio="1",
        forma_pago="03",
        metodo_pago="PUE",
        cfdi_relacionados=[cfdi40.CfdiRelacionados(tipo_relacion="04", cfdi_relacionado=[UUID_A])],
        fecha=fecha,
    )


def build_payment(fecha: datetime = FECHA) -> cfdi40.Comprobante:
    """A payment complement: 1,060.00 MXN by transfer for half of a PPD invoice of 2,120.00
    (2,000.00 + IVA 16% - ISR 10% withheld), with both bank accounts."""
    docto = pago20.DoctoRelacionado(
        id_documento=UUID_A,
        moneda_dr="MXN",
        equivalencia_dr=D("1"),
        num_parcialidad=1,
        imp_saldo_ant=D("2120.00"),
        imp_pagado=D("1060.00"),
        objeto_imp_dr="02",
        impuestos_dr=pago20.ImpuestosDR(
            traslados_dr=[pago20.TrasladoDR(base_dr=D("1000.00"), impuesto_dr="002", tipo_factor_dr="Tasa",
                                            tasa_o_cuota_dr=D("0.160000"), importe_dr=D("160.00"))],
            retenciones_dr=[pago20.RetencionDR(base_dr=D("1000.00"), impuesto_dr="001", tipo_factor_dr="Tasa",
                                               tasa_o_cuota_dr=D("0.100000"), importe_dr=D("100.00"))],
        ),
    )  # fmt: skip
    pago = pago20.Pago(
        fecha_pago=datetime(2026, 11, 19, 12, 0),
        forma_de_pago_p="03",
        moneda_p="MXN",
        tipo_cambio_p=D("1"),
        num_operacion="123456",
        rfc_emisor_cta_ord="BBA830831LJ2",
        cta_ordenante="012180001234567897",
        rfc_emisor_cta_ben="BNM840515VB1",
        cta_beneficiario="0123456789",
        docto_relacionado=[docto],
    )
    return cfdi40.Comprobante.pago(
        emisor=cfdi40.Emisor(**EMISOR),
        lugar_expedicion="42501",
        receptor=cfdi40.Receptor(**RECEPTOR),
        complemento_pago=pago20.Pagos(pago=[pago]),
        serie="P",
        folio="1",
        fecha=fecha,
    )


@pytest.fixture
def invoice() -> cfdi40.Comprobante:
    return build_invoice()


@pytest.fixture
def payment() -> cfdi40.Comprobante:
    return build_payment()


@pytest.fixture
def ctx() -> RuleContext:
    return make_ctx()


@pytest.fixture
def context_factory() -> Callable[..., RuleContext]:
    return make_ctx


@pytest.fixture
def invoice_at() -> Callable[[datetime], cfdi40.Comprobante]:
    """The baseline invoice issued at another Fecha (e.g. inside a test certificate's validity)."""
    return build_invoice
