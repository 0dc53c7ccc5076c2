"""SAT's schema, compiled once, with the four big catalogs checked by lookup."""

from __future__ import annotations

import pytest

from tests.cfdi.cfdi_samples import FECHA, consulting_items, invoice_input
from timbre.cfdi import build, xmlsafe, xsd
from timbre.cfdi.certs import Credential
from timbre.cfdi.seal import seal


@pytest.fixture(scope="module")
def xml(credential: Credential) -> bytes:
    return seal(build.build(invoice_input(consulting_items(), fecha=FECHA)), credential)


def test_valid_document_has_no_errors(xml: bytes) -> None:
    assert xsd.validate(xml) == []


def test_schema_is_compiled_once() -> None:
    assert xsd.schema() is xsd.schema()


def test_schema_errors_name_the_attribute(xml: bytes) -> None:
    errors = xsd.validate(xml.replace(b'Total="17400.00"', b'Total="17,400.00"'))
    assert len(errors) == 1
    assert "attribute 'Total'" in errors[0] and errors[0].startswith("line ")


def test_missing_required_attribute(xml: bytes) -> None:
    errors = xsd.validate(xml.replace(b' UsoCFDI="G03"', b""))
    assert any("UsoCFDI" in e and "required" in e for e in errors)


def test_patterns_still_apply_to_the_big_catalogs(xml: bytes) -> None:
    errors = xsd.validate(xml.replace(b'ClaveProdServ="80141503"', b'ClaveProdServ="8014150"'))
    assert any("ClaveProdServ" in e for e in errors)


@pytest.mark.parametrize(
    ("old", "new", "catalog", "sat_code"),
    [
        (b'ClaveProdServ="80141503"', b'ClaveProdServ="99999999"', "c_ClaveProdServ", "CFDI40162"),
        (b'ClaveUnidad="HUR"', b'ClaveUnidad="ZZZ"', "c_ClaveUnidad", "CFDI40165"),
        (b'LugarExpedicion="42501"', b'LugarExpedicion="00001"', "c_CodigoPostal", "CFDI40126"),
    ],
)
def test_codes_outside_the_catalog(xml: bytes, old: bytes, new: bytes, catalog: str, sat_code: str) -> None:
    broken = xml.replace(old, new)
    errors = xsd.validate(broken)
    assert len(errors) == 1 and catalog in errors[0]
    (found,) = xsd.catalog_errors(xmlsafe.parse(broken))
    assert found.sat_code == sat_code


def test_unknown_complement_is_rejected(xml: bytes) -> None:
    extra = b'<cfdi:Complemento><x:Otro xmlns:x="urn:example"/></cfdi:Complemento></cfdi:Comprobante>'
    errors = xsd.validate(xml.replace(b"</cfdi:Comprobante>", extra))
    assert errors and "Otro" in errors[0]


def test_malformed_xml_is_one_error(xml: bytes) -> None:
    errors = xsd.validate(xml[: len(xml) // 2])
    assert len(errors) == 1 and "malformed" in errors[0]
