"""Building and sealing: the XML matches SAT's schema and its Sello verifies over SAT's cadena original."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

import pytest
from satcfdi.create.cfd import pago20

from tests.cfdi.cfdi_samples import (
    FECHA,
    FISICA,
    TO_FISICA,
    TO_MORAL,
    consulting_items,
    invoice_input,
    large_project_items,
    professional_services_items,
)
from timbre.cfdi import build, trial, xmlsafe, xsd
from timbre.cfdi.certs import Credential
from timbre.cfdi.seal import cadena_original, seal, seal_written, verify_seal


def sealed(data: build.ComprobanteInput, credential: Credential) -> bytes:
    return seal(build.build(data), credential)


class TestSeedExamples:
    def test_multi_item_invoice_and_its_cadena_original(self, credential: Credential) -> None:
        xml = sealed(invoice_input(consulting_items(), fecha=FECHA), credential)

        assert xsd.validate(xml) == []
        assert verify_seal(xml)
        expected = (
            f"||4.0|A|123|2026-06-15T11:55:00|03|{credential.no_certificado}|15000.00|MXN|17400.00|I|01|PUE|42501"
            "|EKU9003173C9|ESCUELA KEMPER URGATE|601"
            "|XIQB891116QE4|BERENICE XIMO QUEZADA|36257|612|G03"
            "|80141503|10|HUR|Consulting services - Phase 1|1000.00|10000.00|02|10000.00|002|Tasa|0.160000|1600.00"
            "|81111500|1|H87|Software license|5000.00|5000.00|02|5000.00|002|Tasa|0.160000|800.00"
            "|15000.00|002|Tasa|0.160000|2400.00|2400.00||"
        )
        assert cadena_original(xmlsafe.parse(xml)) == expected

    def test_withholdings_from_a_persona_fisica(self, make_credential: Callable[[str, str], Credential]) -> None:
        issuer = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        data = invoice_input(professional_services_items(), fecha=FECHA, emisor=FISICA, receptor=TO_MORAL)
        xml = sealed(data, issuer)

        assert xsd.validate(xml) == []
        assert verify_seal(xml)
        root = xmlsafe.parse(xml)
        assert (root.get("SubTotal"), root.get("Total")) == ("10000.00", "9533.33")
        impuestos = root.find("{http://www.sat.gob.mx/cfd/4}Impuestos")
        assert impuestos.get("TotalImpuestosRetenidos") == "2066.67"
        retenciones = impuestos.findall("{*}Retenciones/{*}Retencion")
        assert [(r.get("Impuesto"), r.get("Importe")) for r in retenciones] == [("001", "1000.00"), ("002", "1066.67")]

    def test_ppd_invoice(self, credential: Credential) -> None:
        data = invoice_input(large_project_items(), fecha=FECHA, forma_pago="99", metodo_pago="PPD")
        xml = sealed(data, credential)
        assert xsd.validate(xml) == []
        root = xmlsafe.parse(xml)
        assert (root.get("FormaPago"), root.get("MetodoPago"), root.get("Total")) == ("99", "PPD", "116000.00")


class TestDocumentParts:
    def test_usd_with_exchange_rate_global_info_and_related_cfdi(self, credential: Credential) -> None:
        data = invoice_input(
            consulting_items(), fecha=FECHA, moneda="USD", tipo_cambio=D("17.2345"),
            informacion_global=build.InformacionGlobal("04", "01", 2026),
            cfdi_relacionados=[build.CfdiRelacionados("04", ["12345678-1234-1234-1234-123456789012"])],
        )
        xml = sealed(data, credential)
        assert xsd.validate(xml) == []
        assert verify_seal(xml)
        cadena = cadena_original(xmlsafe.parse(xml))
        assert "|USD|17.2345|" in cadena
        assert "|04|01|2026|04|12345678-1234-1234-1234-123456789012|" in cadena

    def test_payment_complement(self, credential: Credential) -> None:
        pagos = pago20.Pagos(pago=[pago20.Pago(
            fecha_pago=datetime(2026, 6, 14, 12, 0), forma_de_pago_p="03", moneda_p="MXN", tipo_cambio_p=D(1),
            docto_relacionado=[pago20.DoctoRelacionado(
                id_documento="12345678-1234-1234-1234-123456789012", moneda_dr="MXN", num_parcialidad=1,
                imp_saldo_ant=D("1160.00"), imp_pagado=D("1160.00"), objeto_imp_dr="02", equivalencia_dr=D(1),
                impuestos_dr=pago20.ImpuestosDR(traslados_dr=[pago20.TrasladoDR(
                    base_dr=D("1000.00"), impuesto_dr="002", tipo_factor_dr="Tasa",
                    tasa_o_cuota_dr=D("0.160000"), importe_dr=D("160.00"),
                )]),
            )],
        )])
        data = build.ComprobanteInput(
            tipo_de_comprobante="P", emisor=build.Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601"),
            receptor=replace(TO_FISICA, uso_cfdi="CP01"), lugar_expedicion="42501", fecha=FECHA,
            conceptos=[build.pago_concepto()], moneda="XXX", decimals=0, complemento={"Pagos": pagos},
        )
        xml = sealed(data, credential)
        assert xsd.validate(xml) == []
        assert verify_seal(xml)
        root = xmlsafe.parse(xml)
        assert (root.get("SubTotal"), root.get("Total"), root.get("Moneda")) == ("0", "0", "XXX")
        assert root.find("{*}Complemento/{http://www.sat.gob.mx/Pagos20}Pagos") is not None
        assert "|1160.00|" in cadena_original(root)  # the complement is part of the cadena original

    def test_naive_local_fecha_is_required(self) -> None:
        data = invoice_input(consulting_items(), fecha=FECHA)
        with pytest.raises(ValueError, match="naive"):
            build.build(replace(data, fecha=datetime(2026, 6, 15, 12, 0, tzinfo=datetime.now().astimezone().tzinfo)))

    def test_totals_come_from_the_tax_engine(self) -> None:
        data = invoice_input(consulting_items(), fecha=FECHA)
        comprobante = build.build(data)
        amounts = build.document_amounts(data)
        assert (comprobante["SubTotal"], comprobante["Total"]) == (amounts.subtotal, amounts.total)


class TestSealWritten:
    """The invoice pipeline seals the document its pre-folio trial wrote, once given its folio."""

    def test_same_bytes_as_sealing_the_document_written_anew(self, credential: Credential) -> None:
        data = invoice_input(consulting_items(), fecha=FECHA)
        tried = build.build(data)
        tried["Folio"] = "9" * 40  # the trial's placeholder folio
        written = trial.run(tried).written
        assert written is not None

        written.set("Folio", "123")
        xml = seal_written(written, credential)

        assert xml == sealed(data, credential)  # invoice_input's folio is 123
        assert verify_seal(xml)
        assert xsd.validate(xml) == []


class TestVerifySeal:
    @pytest.fixture
    def xml(self, credential: Credential) -> bytes:
        return sealed(invoice_input(consulting_items(), fecha=FECHA), credential)

    def test_any_change_breaks_the_seal(self, xml: bytes) -> None:
        assert not verify_seal(xml.replace(b'Total="17400.00"', b'Total="17400.01"'))
        assert not verify_seal(xml.replace(b"Software license", b"Software licence"))

    def test_seal_of_another_key_fails(
        self, xml: bytes, credential: Credential, make_credential: Callable[[str, str], Credential]
    ) -> None:
        other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        assert not verify_seal(xml.replace(credential.base64.encode(), other.base64.encode()))

    def test_no_certificado_must_be_the_certificates(self, xml: bytes, credential: Credential) -> None:
        assert not verify_seal(xml.replace(credential.no_certificado.encode(), b"30001000000400002434"))

    def test_garbage_is_not_sealed(self) -> None:
        assert not verify_seal(b"<cfdi:Comprobante")
        assert not verify_seal(b"<a/>")
