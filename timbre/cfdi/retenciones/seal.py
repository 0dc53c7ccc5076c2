"""Sello of a Retenciones 2.0 document and the checks of its seal and timbre.

satcfdi's `Retenciones.sign()` writes NoCertificado and Certificado as tuples (DESIGN.md), so the
three attributes are written here: NoCertificado and Certificado first (both are in the cadena
original), then Sello = base64(RSA PKCS#1 v1.5 SHA-256(cadena)) over SAT's retenciones.xslt.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.create.retencion import retenciones20
from satcfdi.transform import xslt_transform

from ..certs import Certificate, Credential
from ..seal import TIMBRE, parsed, seal_matches, timbre_matches, write_seal
from .xsd import RET_NS

RETENCIONES = f"{{{RET_NS}}}Retenciones"


def cadena_original(root: etree._Element) -> str:
    """The cadena original of a Retenciones 2.0 document (SAT's XSLT, complements included)."""
    if root.tag != RETENCIONES:
        raise ValueError(f"no Retenciones cadena original for {root.tag}")
    return str(xslt_transform(RETENCIONES, "2.0")(root))


def seal(document: retenciones20.Retenciones, credential: Credential) -> bytes:
    """Write NoCertificado, Certificado and Sello into `document`; return the XML bytes."""
    return write_seal(document, credential, cadena_original)


def verify_seal(xml: bytes | etree._Element) -> bool:
    """Whether the Sello is the embedded certificate's signature of the cadena original and the
    certificate's serial is the NoCertificado written in the document."""
    root = parsed(xml, RETENCIONES)
    return root is not None and seal_matches(root, cadena_original)


def find_timbre(root: etree._Element) -> etree._Element | None:
    return root.find(f"{{{RET_NS}}}Complemento/{TIMBRE}")


def verify_timbre(xml: bytes | etree._Element, pac_certificate: Certificate) -> bool:
    """Whether the TimbreFiscalDigital is `pac_certificate`'s SelloSAT over the TFD's cadena and its
    SelloCFD is the document's Sello."""
    root = parsed(xml, RETENCIONES)
    return root is not None and timbre_matches(root, find_timbre(root), pac_certificate)
