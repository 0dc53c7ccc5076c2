"""Sello of a Retenciones 2.0 document and the checks of its seal and timbre.

satcfdi's `Retenciones.sign()` writes NoCertificado and Certificado as tuples (DESIGN.md), so the
three attributes are written here: NoCertificado and Certificado first (both are in the cadena
original), then Sello = base64(RSA PKCS#1 v1.5 SHA-256(cadena)) over SAT's retenciones.xslt.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.create.retencion import retenciones20
from satcfdi.transform import xslt_transform

from .. import xmlsafe
from ..certs import Certificate, CertificateError, Credential
from ..seal import TIMBRE
from ..seal import cadena_original as cadena_timbre
from .xsd import RET_NS

RETENCIONES = f"{{{RET_NS}}}Retenciones"


def cadena_original(root: etree._Element) -> str:
    """The cadena original of a Retenciones 2.0 document (SAT's XSLT, complements included)."""
    if root.tag != RETENCIONES:
        raise ValueError(f"no Retenciones cadena original for {root.tag}")
    return str(xslt_transform(RETENCIONES, "2.0")(root))


def seal(document: retenciones20.Retenciones, credential: Credential) -> bytes:
    """Write NoCertificado, Certificado and Sello into `document`; return the XML bytes."""
    document["NoCertificado"] = credential.no_certificado
    document["Certificado"] = credential.base64
    document["Sello"] = ""
    root = document.to_xml(include_schema_location=True)
    sello = base64.b64encode(credential.sign_sha256(cadena_original(root).encode("utf-8"))).decode("ascii")
    document["Sello"] = sello
    root.set("Sello", sello)
    return xmlsafe.tostring(root)


def verify_seal(xml: bytes | etree._Element) -> bool:
    """Whether the Sello is the embedded certificate's signature of the cadena original and the
    certificate's serial is the NoCertificado written in the document."""
    try:
        root = xml if isinstance(xml, etree._Element) else xmlsafe.parse(xml)
        certificate = Certificate.from_base64(root.get("Certificado") or "")
        signature = base64.b64decode(root.get("Sello") or "", validate=True)
    except (xmlsafe.XmlError, CertificateError, binascii.Error, ValueError):
        return False
    if root.tag != RETENCIONES or certificate.no_certificado != root.get("NoCertificado"):
        return False
    return certificate.verify_sha256(cadena_original(root).encode("utf-8"), signature)


def find_timbre(root: etree._Element) -> etree._Element | None:
    return root.find(f"{{{RET_NS}}}Complemento/{TIMBRE}")


def verify_timbre(xml: bytes | etree._Element, pac_certificate: Certificate) -> bool:
    """Whether the TimbreFiscalDigital is `pac_certificate`'s SelloSAT over the TFD's cadena and its
    SelloCFD is the document's Sello."""
    try:
        root = xml if isinstance(xml, etree._Element) else xmlsafe.parse(xml)
    except xmlsafe.XmlError:
        return False
    timbre = find_timbre(root) if root.tag == RETENCIONES else None
    if timbre is None or timbre.get("SelloCFD") != root.get("Sello"):
        return False
    if timbre.get("NoCertificadoSAT") != pac_certificate.no_certificado:
        return False
    try:
        signature = base64.b64decode(timbre.get("SelloSAT") or "", validate=True)
    except (binascii.Error, ValueError):
        return False
    return pac_certificate.verify_sha256(cadena_timbre(timbre).encode("utf-8"), signature)
