"""Sello digital: the cadena original from SAT's XSLT, signed with the issuer's CSD.

Sello = base64(RSA PKCS#1 v1.5 SHA-256(UTF-8 cadena original)), with NoCertificado and
Certificado written before the cadena is computed (both are part of it). The XSLT files are
SAT's, as shipped by satcfdi; each is compiled once per process.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.create.cfd import cfdi40
from satcfdi.transform import xslt_transform

from . import xmlsafe
from .certs import Certificate, CertificateError, Credential

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
COMPROBANTE = f"{{{CFDI_NS}}}Comprobante"
TIMBRE = f"{{{TFD_NS}}}TimbreFiscalDigital"


def cadena_original(root: etree._Element) -> str:
    """The cadena original of a CFDI 4.0 Comprobante or a TimbreFiscalDigital 1.1 element."""
    if root.tag == COMPROBANTE:
        transform = xslt_transform(COMPROBANTE, "4.0")
    elif root.tag == TIMBRE:
        transform = xslt_transform(TIMBRE, "1.1")
        if root.getparent() is not None:  # the TFD stylesheet expects the timbre as document root
            root = etree.fromstring(etree.tostring(root))
    else:
        raise ValueError(f"no cadena original for {root.tag}")
    return str(transform(root))


def sign(cadena: str, credential: Credential) -> str:
    """The base64 Sello of a cadena original."""
    return base64.b64encode(credential.sign_sha256(cadena.encode("utf-8"))).decode("ascii")


def seal(comprobante: cfdi40.Comprobante, credential: Credential) -> bytes:
    """Write NoCertificado, Certificado and Sello into `comprobante`; return the XML bytes."""
    comprobante["NoCertificado"] = credential.no_certificado
    comprobante["Certificado"] = credential.base64
    comprobante["Sello"] = ""
    root = comprobante.to_xml(include_schema_location=True)
    xml = seal_written(root, credential)
    comprobante["Sello"] = root.get("Sello")
    return xml


def seal_written(root: etree._Element, credential: Credential) -> bytes:
    """Seal an already written Comprobante in place (its NoCertificado, Certificado and Sello attributes, set
    or replaced where they stand); return the XML bytes. The same bytes as `seal` of the same comprobante."""
    root.set("NoCertificado", credential.no_certificado)
    root.set("Certificado", credential.base64)
    root.set("Sello", "")
    root.set("Sello", sign(cadena_original(root), credential))
    return xmlsafe.tostring(root)


def verify_seal(xml: bytes | etree._Element) -> bool:
    """Whether the Comprobante's Sello is its embedded certificate's signature of its cadena
    original, and the certificate's serial is the NoCertificado written in the document."""
    try:
        root = xml if isinstance(xml, etree._Element) else xmlsafe.parse(xml)
    except xmlsafe.XmlError:
        return False
    if root.tag != COMPROBANTE:
        return False
    try:
        certificate = Certificate.from_base64(root.get("Certificado") or "")
        signature = base64.b64decode(root.get("Sello") or "", validate=True)
    except (CertificateError, binascii.Error, ValueError):
        return False
    if certificate.no_certificado != root.get("NoCertificado"):
        return False
    return certificate.verify_sha256(cadena_original(root).encode("utf-8"), signature)


def find_timbre(root: etree._Element) -> etree._Element | None:
    """The TimbreFiscalDigital inside the Comprobante's Complemento, if stamped."""
    return root.find(f"{{{CFDI_NS}}}Complemento/{TIMBRE}")


def verify_timbre(xml: bytes | etree._Element, pac_certificate: Certificate) -> bool:
    """Whether the document's TimbreFiscalDigital is `pac_certificate`'s SelloSAT over the TFD's
    cadena original, its SelloCFD is the Comprobante's Sello and NoCertificadoSAT matches."""
    try:
        root = xml if isinstance(xml, etree._Element) else xmlsafe.parse(xml)
    except xmlsafe.XmlError:
        return False
    timbre = find_timbre(root) if root.tag == COMPROBANTE else None
    if timbre is None:
        return False
    if timbre.get("SelloCFD") != root.get("Sello"):
        return False
    if timbre.get("NoCertificadoSAT") != pac_certificate.no_certificado:
        return False
    try:
        signature = base64.b64decode(timbre.get("SelloSAT") or "", validate=True)
    except (binascii.Error, ValueError):
        return False
    return pac_certificate.verify_sha256(cadena_original(timbre).encode("utf-8"), signature)
