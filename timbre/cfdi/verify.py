"""Verifying a CFDI someone else issued (a supplier's, or one mirrored from SAT): 4.0 and 3.3.

Three checks, each independent so that a forged document shows exactly what is wrong with it:

- `xsd`: SAT's schema for its version (4.0: the schema of `cfdi.xsd`; 3.3: `cfdv33.xsd` with Pagos 1.0,
  compiled once on first use). Complements outside the schema set (nómina, carta porte, …) are set
  aside before validating and named in `unchecked_complements`; they are part of the seal below.
- `seal`: the issuer's Sello is the embedded certificate's RSA-SHA256 signature of the cadena original
  (SAT's XSLT for the version), and the certificate's serial is the NoCertificado written.
- `tfd`: the TimbreFiscalDigital's SelloSAT is the signature, by the certificate NoCertificadoSAT names,
  of the TFD's cadena original, and its SelloCFD is the Comprobante's Sello. That certificate is not in
  the document: the caller gives the ones it knows (`tfd_certificates`); an unknown one leaves the check
  undecided (`valid: None`), never passed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.transform import xslt_transform

from . import xmlsafe, xsd
from .certs import Certificate, CertificateError
from .xsdset import SchemaSet

CFDI33_NS = "http://www.sat.gob.mx/cfd/3"
CFDI40_NS = xsd.CFDI_NS
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
TIMBRE = f"{{{TFD_NS}}}TimbreFiscalDigital"
VERSIONS = {f"{{{CFDI40_NS}}}Comprobante": "4.0", f"{{{CFDI33_NS}}}Comprobante": "3.3"}
_KNOWN_COMPLEMENTS = {
    "4.0": {TFD_NS, "http://www.sat.gob.mx/Pagos20"},
    "3.3": {TFD_NS, "http://www.sat.gob.mx/Pagos"},
}
_SCHEMAS_33 = SchemaSet({
    CFDI33_NS: "sitio_internet/cfd/3/cfdv33.xsd",
    TFD_NS: "sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd",
    "http://www.sat.gob.mx/Pagos": "sitio_internet/cfd/Pagos/Pagos10.xsd",
}, "timbre33.xsd")


class NotACfdi(ValueError):
    """The bytes are not a well-formed CFDI 4.0 or 3.3 Comprobante."""


@dataclass(frozen=True, slots=True)
class Check:
    valid: bool | None  # None: could not be decided (e.g. the PAC's certificate is unknown)
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verification:
    version: str
    xsd: Check
    seal: Check
    tfd: Check
    xsd_errors: tuple[str, ...] = ()
    unchecked_complements: tuple[str, ...] = field(default_factory=tuple)




def parse(xml: bytes) -> tuple[etree._Element, str]:
    """The strictly parsed Comprobante and its version, or `NotACfdi`."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        raise NotACfdi(str(exc)) from None
    version = VERSIONS.get(root.tag)
    if version is None:
        raise NotACfdi("the document is not a CFDI 4.0 or 3.3 Comprobante")
    return root, version


def find_timbre(root: etree._Element) -> etree._Element | None:
    namespace = root.tag[1:].split("}", 1)[0]
    return root.find(f"{{{namespace}}}Complemento/{TIMBRE}")


def _schema_check(root: etree._Element, version: str) -> tuple[Check, tuple[str, ...], tuple[str, ...]]:
    copy = etree.fromstring(etree.tostring(root))
    namespace = copy.tag[1:].split("}", 1)[0]
    unchecked: list[str] = []
    for complemento in copy.findall(f"{{{namespace}}}Complemento"):
        for child in list(complemento):
            if not isinstance(child.tag, str):
                continue
            child_ns = child.tag[1:].split("}", 1)[0] if child.tag.startswith("{") else ""
            if child_ns not in _KNOWN_COMPLEMENTS[version]:
                unchecked.append(etree.QName(child).localname)
                complemento.remove(child)
    errors = xsd.validate_tree(copy) if version == "4.0" else _SCHEMAS_33.errors(copy)
    check = Check(True) if not errors else Check(False, errors[0])
    return check, tuple(errors), tuple(unchecked)


def _cadena(element: etree._Element, version: str) -> str:
    if element.tag == TIMBRE:
        if element.getparent() is not None:  # SAT's TFD stylesheet expects the timbre as document root
            element = etree.fromstring(etree.tostring(element))
        return str(xslt_transform(TIMBRE, "1.1")(element))
    return str(xslt_transform(element.tag, version)(element))


def _signature(value: str | None) -> bytes | None:
    try:
        return base64.b64decode(value or "", validate=True) or None
    except (binascii.Error, ValueError):
        return None


def _seal_check(root: etree._Element, version: str) -> Check:
    try:
        certificate = Certificate.from_base64(root.get("Certificado") or "")
    except CertificateError as exc:
        return Check(False, f"the embedded certificate is unreadable: {exc.message}")
    if certificate.no_certificado != root.get("NoCertificado"):
        return Check(False, "NoCertificado is not the serial number of the embedded certificate")
    signature = _signature(root.get("Sello"))
    if signature is None:
        return Check(False, "Sello is not base64")
    if not certificate.verify_sha256(_cadena(root, version).encode("utf-8"), signature):
        return Check(False, "Sello is not the issuer's signature of the cadena original: the document was altered")
    return Check(True, f"signed by certificate {certificate.no_certificado} ({certificate.rfc})")


def _tfd_check(root: etree._Element, version: str, certificates: Mapping[str, Certificate]) -> Check:
    timbre = find_timbre(root)
    if timbre is None:
        return Check(False, "the document carries no TimbreFiscalDigital (it was never stamped)")
    if timbre.get("SelloCFD") != root.get("Sello"):
        return Check(False, "the TFD's SelloCFD is not the Comprobante's Sello")
    number = timbre.get("NoCertificadoSAT") or ""
    certificate = certificates.get(number)
    if certificate is None:
        return Check(None, f"SAT certificate {number} is not known to this server: the stamp cannot be checked")
    signature = _signature(timbre.get("SelloSAT"))
    if signature is None:
        return Check(False, "SelloSAT is not base64")
    if not certificate.verify_sha256(_cadena(timbre, version).encode("utf-8"), signature):
        return Check(False, "SelloSAT is not the signature of the stamp: the stamp was altered or forged")
    return Check(True, f"stamped by {timbre.get('RfcProvCertif')} with certificate {number}")


def verify(root: etree._Element, version: str, tfd_certificates: Mapping[str, Certificate]) -> Verification:
    """The three checks of a parsed Comprobante (`parse`)."""
    check, errors, unchecked = _schema_check(root, version)
    return Verification(version=version, xsd=check, seal=_seal_check(root, version),
                        tfd=_tfd_check(root, version, tfd_certificates), xsd_errors=errors,
                        unchecked_complements=unchecked)
