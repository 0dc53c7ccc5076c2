"""Rules only the signed XML can answer: the seal (CFDI40102) and the certificate inside the
document (CFDI40106). `validate.validate_xml` runs them plus every business rule, e.g. for a
CFDI received as XML.

The XML is parsed strictly (`xmlsafe`: no recovery, no network, no DOCTYPE) before satcfdi sees
it, because satcfdi's own parser accepts truncated documents.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from .. import xmlsafe
from ..certs import Certificate, CertificateError
from ..seal import CFDI_NS, COMPROBANTE, cadena_original
from .comprobante import _instants
from .registry import Finding, Violation, violation


class MalformedXml(ValueError):
    """The bytes are not a well-formed CFDI 4.0 document."""


def parse_strict(xml: bytes) -> etree._Element:
    """The root of a well-formed CFDI 4.0, or MalformedXml."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        raise MalformedXml(str(exc)) from None
    if root.tag != COMPROBANTE or root.get("Version") != "4.0":
        raise MalformedXml(f"the root element is {root.tag!r}, not a CFDI 4.0 Comprobante")
    return root


def _fecha(root: etree._Element) -> datetime | None:
    try:
        return datetime.fromisoformat(root.get("Fecha") or "")
    except ValueError:
        return None


def _certificate_findings(root: etree._Element, certificate: Certificate) -> list[Finding]:
    findings: list[Finding] = []
    if not certificate.is_csd:
        findings.append(
            Finding("The certificate is not a CSD (certificado de sello digital); an e.firma (FIEL) cannot seal CFDI.")
        )
    if root.get("NoCertificado") != certificate.no_certificado:
        findings.append(
            Finding(
                f"NoCertificado {root.get('NoCertificado')!r} is not the certificate's number "
                f"{certificate.no_certificado}."
            )
        )
    emisor = root.find(f"{{{CFDI_NS}}}Emisor")
    rfc = emisor.get("Rfc") if emisor is not None else None
    if rfc and certificate.rfc != rfc.upper():
        findings.append(
            Finding(f"The certificate belongs to RFC {certificate.rfc}, not to the issuer {rfc}.", field="team.tax_id")
        )
    fecha = _fecha(root)
    if fecha is not None:
        earliest, latest = _instants(fecha)
        if earliest > certificate.not_after or latest < certificate.not_before:
            findings.append(
                Finding(
                    f"Fecha {fecha.isoformat()} is outside the certificate's validity "
                    f"({certificate.not_before.isoformat()} to {certificate.not_after.isoformat()})."
                )
            )
    return findings


def _seal_verifies(root: etree._Element, certificate: Certificate) -> bool:
    try:
        sello = base64.b64decode(root.get("Sello") or "", validate=True)
    except (binascii.Error, ValueError):
        return False
    if not sello:
        return False
    try:
        return certificate.verify_sha256(cadena_original(root).encode("utf-8"), sello)
    except CertificateError:
        return False


def validate_envelope(xml: bytes) -> list[Violation]:
    """Seal and certificate rules of a signed CFDI 4.0: CFDI40102, CFDI40106, and CFDI40999 when
    the bytes are not a CFDI 4.0 at all."""
    try:
        root = parse_strict(xml)
    except MalformedXml as exc:
        return [violation("CFDI40999", Finding(f"The document cannot be read: {exc}"))]
    try:
        certificate = Certificate.from_base64(root.get("Certificado") or "")
    except CertificateError as exc:
        return [violation("CFDI40106", Finding(f"The Certificado attribute is unusable: {exc}"))]
    found = [violation("CFDI40106", f) for f in _certificate_findings(root, certificate)]
    if not _seal_verifies(root, certificate):
        found.append(
            violation(
                "CFDI40102",
                Finding("The Sello does not verify against the cadena original with the certificate's key."),
            )
        )
    return found
