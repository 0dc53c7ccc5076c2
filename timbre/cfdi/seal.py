"""Sello digital: the cadena original from SAT's XSLT, signed with the issuer's CSD.

Sello = base64(RSA PKCS#1 v1.5 SHA-256(UTF-8 cadena original)), with NoCertificado and
Certificado written before the cadena is computed (both are part of it). The XSLT files are
SAT's, as shipped by satcfdi; each is compiled once per process.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

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
    return write_seal(comprobante, credential, cadena_original)


def write_seal(document: Any, credential: Credential, cadena: Callable[[etree._Element], str]) -> bytes:
    """Write NoCertificado, Certificado and Sello (over `cadena` of the document) into a satcfdi document
    (CFDI or Retenciones); return the XML bytes."""
    document["NoCertificado"] = credential.no_certificado
    document["Certificado"] = credential.base64
    document["Sello"] = ""
    root = document.to_xml(include_schema_location=True)
    xml = seal_written(root, credential, cadena)
    document["Sello"] = root.get("Sello")
    return xml


def seal_written(root: etree._Element, credential: Credential,
                 cadena: Callable[[etree._Element], str] = cadena_original) -> bytes:
    """Seal an already written document in place (its NoCertificado, Certificado and Sello attributes, set
    or replaced where they stand); return the XML bytes. The same bytes as `seal` of the same comprobante."""
    root.set("NoCertificado", credential.no_certificado)
    root.set("Certificado", credential.base64)
    root.set("Sello", "")
    root.set("Sello", sign(cadena(root), credential))
    return xmlsafe.tostring(root)


def parsed(xml: bytes | etree._Element, tag: str) -> etree._Element | None:
    """The document's root when it parses strictly and is a `tag`, else None."""
    try:
        root = xml if isinstance(xml, etree._Element) else xmlsafe.parse(xml)
    except xmlsafe.XmlError:
        return None
    return root if root.tag == tag else None


def verify_seal(xml: bytes | etree._Element) -> bool:
    """Whether the Comprobante's Sello is its embedded certificate's signature of its cadena
    original, and the certificate's serial is the NoCertificado written in the document."""
    root = parsed(xml, COMPROBANTE)
    return root is not None and seal_matches(root, cadena_original)


def seal_matches(root: etree._Element, cadena: Callable[[etree._Element], str]) -> bool:
    """Whether `root`'s Sello is its embedded certificate's signature of `cadena(root)` and the certificate's
    serial is its NoCertificado."""
    try:
        certificate = Certificate.from_base64(root.get("Certificado") or "")
        signature = base64.b64decode(root.get("Sello") or "", validate=True)
    except (CertificateError, binascii.Error, ValueError):
        return False
    if certificate.no_certificado != root.get("NoCertificado"):
        return False
    return certificate.verify_sha256(cadena(root).encode("utf-8"), signature)


def find_timbre(root: etree._Element) -> etree._Element | None:
    """The TimbreFiscalDigital inside the Comprobante's Complemento, if stamped."""
    return root.find(f"{{{CFDI_NS}}}Complemento/{TIMBRE}")


def verify_timbre(xml: bytes | etree._Element, pac_certificate: Certificate) -> bool:
    """Whether the document's TimbreFiscalDigital is `pac_certificate`'s SelloSAT over the TFD's
    cadena original, its SelloCFD is the Comprobante's Sello and NoCertificadoSAT matches."""
    root = parsed(xml, COMPROBANTE)
    return root is not None and timbre_matches(root, find_timbre(root), pac_certificate)


def timbre_matches(root: etree._Element, timbre: etree._Element | None, pac_certificate: Certificate) -> bool:
    """Whether `timbre` (the TFD 1.1 of the document `root`) is `pac_certificate`'s SelloSAT over the TFD's
    cadena original, its SelloCFD is the document's Sello and NoCertificadoSAT matches."""
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
