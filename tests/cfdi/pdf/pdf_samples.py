"""CFDI 4.0 documents for the PDF tests and benchmark, built with satcfdi (no signing needed).

``parsed()`` round-trips a built document through XML so tests see the shape satcfdi gives a
stamped CFDI read back from storage (``Code`` values, keyed tax dicts). The TimbreFiscalDigital
is made by hand: the PDF only prints it.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40, pago20

EMISOR_RFC = "EKU9003173C9"
RECEPTOR_RFC = "XIQB891116QE4"
UUID = "5803EB8D-81CD-4557-8719-26632D2FA434"
SELLO = "srQ3ZQ" * 57 + "ABCDEFGH=="  # base64-looking, 352 chars; only its last 8 matter
SELLO_SAT = "Zm9vYmFy" * 43


def emisor() -> cfdi40.Emisor:
    return cfdi40.Emisor(rfc=EMISOR_RFC, nombre="ESCUELA KEMPER URGATE", regimen_fiscal="601")


def receptor(uso: str = "G03") -> cfdi40.Receptor:
    return cfdi40.Receptor(
        rfc=RECEPTOR_RFC,
        nombre="BERENICE XIMO QUEZADA",
        domicilio_fiscal_receptor="36257",
        regimen_fiscal_receptor="612",
        uso_cfdi=uso,
    )


def concepto(
    descripcion: str = "Consultoría en sistemas de facturación electrónica",
    *,
    cantidad: str = "2",
    valor_unitario: str = "500.00",
    iva: bool = True,
    retencion_isr: bool = False,
    descuento: str | None = None,
) -> cfdi40.Concepto:
    importe = Decimal(cantidad) * Decimal(valor_unitario)
    base = importe - Decimal(descuento or 0)
    traslados = (
        [
            cfdi40.Traslado(
                impuesto="002",
                tipo_factor="Tasa",
                tasa_o_cuota=Decimal("0.160000"),
                base=base,
                importe=round(base * Decimal("0.16"), 2),
            )
        ]
        if iva
        else None
    )
    retenciones = (
        [
            cfdi40.Retencion(
                impuesto="001",
                tipo_factor="Tasa",
                tasa_o_cuota=Decimal("0.100000"),
                base=base,
                importe=round(base * Decimal("0.10"), 2),
            )
        ]
        if retencion_isr
        else None
    )
    return cfdi40.Concepto(
        clave_prod_serv="84111506",
        no_identificacion="SKU-001",
        cantidad=Decimal(cantidad),
        clave_unidad="E48",
        unidad="Servicio",
        descripcion=descripcion,
        valor_unitario=Decimal(valor_unitario),
        descuento=Decimal(descuento) if descuento else None,
        objeto_imp="02" if (iva or retencion_isr) else "01",
        impuestos=cfdi40.Impuestos(traslados=traslados, retenciones=retenciones) if (iva or retencion_isr) else None,
    )


def tfd(uuid: str = UUID, sello_cfd: str = SELLO) -> CFDI:
    """A TimbreFiscalDigital 1.1 node with made-up seals; tagged so satcfdi can serialize it."""
    node = CFDI(
        {
            "Version": "1.1",
            "UUID": uuid,
            "FechaTimbrado": datetime(2026, 11, 20, 10, 5, 3),
            "RfcProvCertif": "SPR190613I52",
            "SelloCFD": sello_cfd,
            "NoCertificadoSAT": "30001000000500003456",
            "SelloSAT": SELLO_SAT,
        }
    )
    node.tag = "{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"
    return node


def ingreso(
    conceptos: list[cfdi40.Concepto] | None = None,
    *,
    moneda: str = "MXN",
    tipo_cambio: Decimal | None = None,
    tipo: str = "I",
    stamped: bool = True,
    **extra: Any,
) -> cfdi40.Comprobante:
    """An income (or, with ``tipo="E"``, egress) CFDI, stamped with a hand-made TFD."""
    comprobante = cfdi40.Comprobante(
        emisor=emisor(),
        lugar_expedicion="42501",
        receptor=receptor("G02" if tipo == "E" else "G03"),
        conceptos=conceptos or [concepto(), concepto("Soporte técnico mensual", cantidad="1", valor_unitario="160")],
        moneda=moneda,
        tipo_cambio=tipo_cambio,
        tipo_de_comprobante=tipo,
        forma_pago="03",
        metodo_pago="PUE",
        serie="F" if tipo == "I" else "NC",
        folio="1024",
        fecha=datetime(2026, 11, 20, 10, 0, 0),
        **extra,
    )
    comprobante["Sello"] = SELLO
    comprobante["NoCertificado"] = "30001000000500003416"
    if stamped:
        comprobante["Complemento"] = {"TimbreFiscalDigital": tfd()}
    return comprobante


def pago() -> cfdi40.Comprobante:
    """A payment CFDI (tipo P) with a Pagos 2.0 complement for one invoice paid in full."""
    pagos = pago20.Pagos(
        pago=[
            pago20.Pago(
                fecha_pago=datetime(2026, 11, 19, 12, 0, 0),
                forma_de_pago_p="03",
                moneda_p="MXN",
                tipo_cambio_p=Decimal(1),
                num_operacion="SPEI-778812",
                docto_relacionado=[
                    pago20.DoctoRelacionado(
                        id_documento="6E3F5A2B-1C2D-4E5F-8A9B-0C1D2E3F4A5B",
                        moneda_dr="MXN",
                        num_parcialidad=1,
                        imp_saldo_ant=Decimal("1160.00"),
                        imp_pagado=Decimal("1160.00"),
                        objeto_imp_dr="02",
                        serie="F",
                        folio="1001",
                        equivalencia_dr=Decimal(1),
                        impuestos_dr=pago20.ImpuestosDR(
                            traslados_dr=[
                                pago20.TrasladoDR(
                                    base_dr=Decimal("1000.00"),
                                    impuesto_dr="002",
                                    tipo_factor_dr="Tasa",
                                    tasa_o_cuota_dr=Decimal("0.160000"),
                                    importe_dr=Decimal("160.00"),
                                )
                            ]
                        ),
                    )
                ],
            )
        ]
    )
    comprobante = cfdi40.Comprobante.pago(
        emisor=emisor(),
        lugar_expedicion="42501",
        receptor=receptor(),
        complemento_pago=pagos,
        serie="P",
        folio="77",
        fecha=datetime(2026, 11, 20, 10, 0, 0),
    )
    comprobante["Sello"] = SELLO
    comprobante["Complemento"] = {"Pagos": pagos, "TimbreFiscalDigital": tfd()}
    return comprobante


def parsed(comprobante: Mapping[str, Any]) -> CFDI:
    """The document as satcfdi reads it back from XML (how stored CFDIs reach the renderer)."""
    assert isinstance(comprobante, CFDI)
    return CFDI.from_string(comprobante.xml_bytes())


def png(width: int = 240, height: int = 80, rgb: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    """A solid-colour PNG written by hand, so the tests need no image fixture files."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return out.getvalue()
