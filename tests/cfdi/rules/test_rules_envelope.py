"""Seal and certificate rules on signed XML (CFDI40102, CFDI40106), and validate_xml end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from satcfdi.create.cfd import cfdi40

from timbre.cfdi.certs import Credential
from timbre.cfdi.rules import RuleContext, Violation, validate_envelope, validate_xml
from timbre.cfdi.seal import seal

SAT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sat"
# tests/cfdi/conftest.py issues its test CSDs valid around 2026-06-15 18:00 UTC (12:00 in Mexico City).
INSTANT = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)
FECHA = datetime(2026, 6, 15, 11, 55)

InvoiceAt = Callable[[datetime], cfdi40.Comprobante]


def codes(violations: list[Violation]) -> list[str]:
    return [v.code for v in violations]


@pytest.fixture
def signed(invoice_at: InvoiceAt, credential: Credential) -> bytes:
    return seal(invoice_at(FECHA), credential)


def test_signed_invoice_passes(signed: bytes) -> None:
    assert validate_envelope(signed) == []


def test_validate_xml_runs_every_rule(signed: bytes, credential: Credential) -> None:
    ctx = RuleContext(now=INSTANT, cert_not_before=credential.not_before, cert_not_after=credential.not_after,
                      cert_rfc=credential.rfc)  # fmt: skip
    assert validate_xml(signed, ctx) == []
    broken = signed.replace(b'UsoCFDI="G03"', b'UsoCFDI="D01"')
    assert codes(validate_xml(broken, ctx)) == ["CFDI40102", "CFDI40161"]


def test_tampered_document_breaks_the_seal(signed: bytes) -> None:
    tampered = signed.replace(b'Total="5200.67"', b'Total="5200.68"')
    assert tampered != signed
    assert codes(validate_envelope(tampered)) == ["CFDI40102"]


def test_fiel_cannot_seal(invoice_at: InvoiceAt) -> None:
    fiel = Credential.load(
        (SAT_FIXTURES / "EKU9003173C9_fiel.cer").read_bytes(),
        (SAT_FIXTURES / "EKU9003173C9_fiel.key").read_bytes(),
        "12345678a",
    )
    found = validate_envelope(seal(invoice_at(datetime(2022, 6, 1, 10, 0)), fiel))
    assert codes(found) == ["CFDI40106"]
    assert "FIEL" in found[0].message_en


def test_expired_certificate(invoice_at: InvoiceAt) -> None:
    csd = Credential.load(
        (SAT_FIXTURES / "EKU9003173C9_csd.cer").read_bytes(),
        (SAT_FIXTURES / "EKU9003173C9_csd.key").read_bytes(),
        "12345678a",
    )
    found = validate_envelope(seal(invoice_at(FECHA), csd))
    assert codes(found) == ["CFDI40106"]
    assert "validity" in found[0].message_en


def test_certificate_of_another_taxpayer(
    invoice_at: InvoiceAt, make_credential: Callable[[str, str], Credential]
) -> None:
    other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
    found = validate_envelope(seal(invoice_at(FECHA), other))
    assert [(v.code, v.field) for v in found] == [("CFDI40106", "team.tax_id")]


def test_wrong_no_certificado(signed: bytes, credential: Credential) -> None:
    found = validate_envelope(signed.replace(credential.no_certificado.encode(), b"00001000000000000000", 1))
    assert "CFDI40106" in codes(found)


def test_unreadable_certificate(signed: bytes, credential: Credential) -> None:
    found = validate_envelope(signed.replace(credential.base64.encode(), b"bm90IGEgY2VydGlmaWNhdGU="))
    assert codes(found) == ["CFDI40106"]


@pytest.mark.parametrize("xml", [b"", b"<cfdi:Comprobante", b"<?xml version='1.0'?><Factura/>"])
def test_not_a_cfdi(xml: bytes) -> None:
    assert codes(validate_envelope(xml)) == ["CFDI40999"]
