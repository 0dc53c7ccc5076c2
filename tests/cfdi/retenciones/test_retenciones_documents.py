"""Retenciones 2.0 documents of every complement Timbre builds: SAT's schemas, the seal over the cadena
original of SAT's own XSLT (applied here with lxml, independently of `seal.cadena_original`), and the
sandbox PAC's TimbreFiscalDigital."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import satcfdi
from lxml import etree  # type: ignore[import-untyped]

from tests.cfdi.cfdi_samples import FECHA
from tests.cfdi.retenciones.samples import retencion
from timbre.cfdi.certs import Certificate, Credential
from timbre.cfdi.pac import PacRejected
from timbre.cfdi.pac.sandbox import SandboxPAC, sandbox_credential
from timbre.cfdi.retenciones import seal, xsd
from timbre.cfdi.retenciones.build import build, fecha_expedicion

SAT_XSLT = (Path(satcfdi.__file__).parent / "transform" / "schemas" / "www.sat.gob.mx" / "esquemas" / "retencionpago"
            / "2" / "retenciones.xslt")
KEYS = ["26", "14", "16", "18", "06", "01"]


def sat_cadena(xml: bytes) -> str:
    transform = etree.XSLT(etree.parse(str(SAT_XSLT)))
    return str(transform(etree.fromstring(xml)))


def seal_verifies_with_sat_xslt(xml: bytes) -> bool:
    root = etree.fromstring(xml)
    certificate = Certificate.from_base64(root.get("Certificado"))
    return certificate.verify_sha256(sat_cadena(xml).encode("utf-8"), base64.b64decode(root.get("Sello")))


class TestSealedDocument:
    @pytest.mark.parametrize("key", KEYS)
    def test_passes_sat_schemas_and_seal_verifies_over_sat_xslt(self, key: str, credential: Credential) -> None:
        xml = seal.seal(build(retencion(key, FECHA)), credential)
        assert xsd.validate(xml) == []
        assert seal_verifies_with_sat_xslt(xml)
        assert seal.verify_seal(xml)
        assert etree.fromstring(xml).get("NoCertificado") == credential.no_certificado

    def test_complement_is_in_the_cadena(self, credential: Credential) -> None:
        xml = seal.seal(build(retencion("26", FECHA)), credential)
        assert "|1000.00|160.00|80.00|10.00|80.00|100.00|" in sat_cadena(xml)

    def test_tampered_document_fails_verification(self, credential: Credential) -> None:
        xml = seal.seal(build(retencion("01", FECHA)), credential)
        tampered = xml.replace(b'MontoTotOperacion="1000.00"', b'MontoTotOperacion="1000.01"')
        assert not seal.verify_seal(tampered)
        assert not seal_verifies_with_sat_xslt(tampered)

    def test_schema_rejects_a_wrong_complement_value(self, credential: Credential) -> None:
        xml = seal.seal(build(retencion("14", FECHA)), credential)
        assert xsd.validate(xml.replace(b'CveTipDivOUtil="01"', b'CveTipDivOUtil="99"'))

    def test_unknown_postal_code_is_a_catalog_error(self, credential: Credential) -> None:
        xml = seal.seal(build(retencion("01", FECHA, lugar_exp_retenc="00001")), credential)
        assert any("c_CodigoPostal" in e for e in xsd.validate(xml))


class TestSandboxStamp:
    @pytest.mark.parametrize("key", KEYS)
    def test_stamped_document_keeps_schema_seal_and_timbre(self, key: str, credential: Credential,
                                                          sandbox: SandboxPAC) -> None:
        result = sandbox.stamp_retention(seal.seal(build(retencion(key, FECHA)), credential))
        assert xsd.validate(result.xml) == []
        assert seal_verifies_with_sat_xslt(result.xml)
        assert seal.verify_timbre(result.xml, sandbox_credential())
        assert seal.find_timbre(etree.fromstring(result.xml)).get("UUID") == result.uuid

    def test_rejects_a_broken_seal(self, credential: Credential, sandbox: SandboxPAC) -> None:
        xml = seal.seal(build(retencion("01", FECHA)), credential).replace(b'MontoTotExent="0"',
                                                                        b'MontoTotExent="1.00"')
        with pytest.raises(PacRejected) as error:
            sandbox.stamp_retention(xml)
        assert error.value.code == "302"

    def test_rejects_another_issuers_csd(self, make_credential: object, sandbox: SandboxPAC) -> None:
        other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")  # type: ignore[operator]
        with pytest.raises(PacRejected) as error:
            sandbox.stamp_retention(seal.seal(build(retencion("01", FECHA)), other))
        assert error.value.code == "303"

    def test_rejects_a_stamped_document(self, credential: Credential, sandbox: SandboxPAC) -> None:
        stamped = sandbox.stamp_retention(seal.seal(build(retencion("01", FECHA)), credential)).xml
        with pytest.raises(PacRejected) as error:
            sandbox.stamp_retention(stamped)
        assert error.value.code == "307"

    def test_rejects_a_cfdi_40(self, sandbox: SandboxPAC) -> None:
        with pytest.raises(PacRejected) as error:
            sandbox.stamp_retention(b'<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Version="4.0"/>')
        assert error.value.code == "301"


class TestFechaExpedicion:
    def test_is_the_wall_clock_of_the_postal_code(self) -> None:
        from datetime import UTC, datetime

        instant = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)
        assert fecha_expedicion("42501", instant).isoformat() == "2026-06-15T12:00:00"  # central
        assert fecha_expedicion("77500", instant).isoformat() == "2026-06-15T13:00:00"  # Cancún (Sureste)
