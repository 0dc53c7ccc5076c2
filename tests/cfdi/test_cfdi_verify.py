"""Verifying a CFDI someone else issued: schema, issuer's seal and stamp, for 4.0 and 3.3."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.cfdi.cfdi33_sample import cfdi33
from timbre.cfdi import testca, verify
from timbre.cfdi.certs import Certificate
from timbre.cfdi.pac.sandbox import sandbox_credential

STAMPED = (Path(__file__).resolve().parents[1] / "fixtures" / "pac" / "stamped_cfdi.xml").read_bytes()
SANDBOX = {sandbox_credential().no_certificado: sandbox_credential()}


def _checks(xml: bytes, certificates: dict[str, Certificate] | None = None) -> verify.Verification:
    root, version = verify.parse(xml)
    return verify.verify(root, version, SANDBOX if certificates is None else certificates)


def _flip(xml: bytes, attribute: bytes, offset: int = 10) -> bytes:
    start = xml.index(attribute + b'="') + len(attribute) + 2 + offset
    return xml[:start] + (b"A" if xml[start:start + 1] != b"A" else b"B") + xml[start + 1:]


@pytest.fixture(scope="module")
def sample33() -> bytes:
    return cfdi33(testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE"))


class TestCfdi40:
    def test_a_genuine_cfdi_passes_every_check(self) -> None:
        result = _checks(STAMPED)
        assert (result.version, result.xsd.valid, result.seal.valid, result.tfd.valid) == ("4.0", True, True, True)

    def test_one_byte_of_the_seal_changed_fails_the_seal_and_the_stamp(self) -> None:
        result = _checks(_flip(STAMPED, b"Sello"))
        assert result.xsd.valid is True
        assert result.seal.valid is False and "altered" in (result.seal.detail or "")
        assert result.tfd.valid is False  # SelloCFD no longer matches

    def test_a_changed_amount_fails_the_seal_only(self) -> None:
        result = _checks(STAMPED.replace(b'Folio="123"', b'Folio="124"'))
        assert (result.seal.valid, result.tfd.valid) == (False, True)

    def test_a_forged_stamp_fails_the_tfd(self) -> None:
        result = _checks(_flip(STAMPED, b"SelloSAT"))
        assert (result.seal.valid, result.tfd.valid) == (True, False)

    def test_a_stamp_by_an_unknown_certificate_is_undecided_never_passed(self) -> None:
        result = _checks(STAMPED, {})
        assert result.tfd.valid is None and "not known" in (result.tfd.detail or "")

    def test_a_schema_error_is_reported_with_its_line(self) -> None:
        result = _checks(STAMPED.replace(b'Moneda="MXN"', b'Moneda="ZZZ"'))
        assert result.xsd.valid is False and result.xsd_errors and "Moneda" in result.xsd_errors[0]

    def test_an_unknown_complement_is_set_aside_and_named(self) -> None:
        root, version = verify.parse(STAMPED)
        complemento = root.find("{http://www.sat.gob.mx/cfd/4}Complemento")
        etree.SubElement(complemento, "{http://www.sat.gob.mx/nomina12}Nomina", Version="1.2")
        result = verify.verify(root, version, SANDBOX)
        assert result.xsd.valid is True and result.unchecked_complements == ("Nomina",)
        assert result.seal.valid is False  # complements are part of the cadena original: adding one alters it


class TestCfdi33:
    def test_a_genuine_33_passes_every_check(self, sample33: bytes) -> None:
        result = _checks(sample33)
        assert (result.version, result.xsd.valid, result.seal.valid, result.tfd.valid) == ("3.3", True, True, True)

    def test_a_forged_33_fails_its_seal(self, sample33: bytes) -> None:
        assert _checks(_flip(sample33, b"Sello")).seal.valid is False

    def test_a_33_schema_error_is_caught(self, sample33: bytes) -> None:
        result = _checks(sample33.replace(b'UsoCFDI="G03"', b'UsoCFDI="G99"'))
        assert result.xsd.valid is False and "UsoCFDI" in (result.xsd.detail or "")


class TestParse:
    @pytest.mark.parametrize("xml", [b"", b"<a/>", b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'",
                                     b'<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'])
    def test_what_is_not_a_cfdi_is_refused(self, xml: bytes) -> None:
        with pytest.raises(verify.NotACfdi):
            verify.parse(xml)
