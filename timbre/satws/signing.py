"""The XML signatures SAT's Descarga Masiva requires, made with the taxpayer's FIEL (RSA-SHA1, exclusive C14N).

    timestamp_security(fiel)  Autenticación: a WS-Security header whose Signature covers the Timestamp
                              (Reference URI="#_0"); KeyInfo points at the BinarySecurityToken (the certificate).
    sign_operation(fiel, op)  SolicitaDescarga*, VerificaSolicitudDescarga, Descargar: an enveloped Signature
                              appended to the operation's `solicitud` / `peticionDescarga`, whose digest covers
                              the operation element (without the Signature), with the X509 certificate in KeyInfo.

Exclusive C14N makes both independent of the surrounding envelope, so a verifier (xmlsec1) can check them on
the signed element alone. SAT's services still ask for SHA-1: it is their protocol, not our choice.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.cfdi.certs import Credential

DS = "http://www.w3.org/2000/09/xmldsig#"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
X509V3_TYPE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
TOKEN_LIFETIME = timedelta(minutes=5)


def _c14n(element: Any) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)  # type: ignore[no-any-return]


def _sha1(data: bytes) -> str:
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")  # noqa: S324  # SAT's protocol


def _ds(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{DS}}}{name}", attributes)
    element.text = text
    return element


def _signature(parent: Any, fiel: Credential, digest: str, uri: str, transforms: tuple[str, ...]) -> Any:
    signature = etree.SubElement(parent, f"{{{DS}}}Signature", nsmap={None: DS})
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _ds(signed_info, "SignatureMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    reference = _ds(signed_info, "Reference", URI=uri)
    listed = _ds(reference, "Transforms")
    for algorithm in transforms:
        _ds(listed, "Transform", Algorithm=algorithm)
    _ds(reference, "DigestMethod", Algorithm="http://www.w3.org/2000/09/xmldsig#sha1")
    _ds(reference, "DigestValue", digest)
    value = fiel.private_key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    _ds(signature, "SignatureValue", base64.b64encode(value).decode("ascii"))
    return signature


def timestamp_security(header: Any, fiel: Credential, now: datetime) -> None:
    """Append Autenticación's signed WS-Security block to the SOAP `header` (`now` in UTC)."""
    security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"o": WSSE, "u": WSU})
    security.set("{http://schemas.xmlsoap.org/soap/envelope/}mustUnderstand", "1")
    stamp = etree.SubElement(security, f"{{{WSU}}}Timestamp", {f"{{{WSU}}}Id": "_0"})
    created = now.replace(tzinfo=None, microsecond=0)
    etree.SubElement(stamp, f"{{{WSU}}}Created").text = created.isoformat() + ".000Z"
    etree.SubElement(stamp, f"{{{WSU}}}Expires").text = (created + TOKEN_LIFETIME).isoformat() + ".000Z"
    token_id = f"uuid-{uuid.uuid4()}-1"
    token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken",
                             {f"{{{WSU}}}Id": token_id, "ValueType": X509V3_TYPE, "EncodingType": BASE64_BINARY})
    token.text = fiel.base64
    signature = _signature(security, fiel, _sha1(_c14n(stamp)), "#_0", (EXC_C14N,))
    reference = etree.SubElement(etree.SubElement(_ds(signature, "KeyInfo"), f"{{{WSSE}}}SecurityTokenReference"),
                                 f"{{{WSSE}}}Reference")
    reference.set("URI", f"#{token_id}")
    reference.set("ValueType", X509V3_TYPE)


def sign_operation(operation: Any, target: Any, fiel: Credential) -> None:
    """Append an enveloped Signature of `operation` (e.g. des:SolicitaDescargaEmitidos) to `target`, its child
    `solicitud` / `peticionDescarga`."""
    digest = _sha1(_c14n(operation))  # before the Signature exists: what the enveloped transform yields
    signature = _signature(target, fiel, digest, "", (ENVELOPED, EXC_C14N))
    data = _ds(_ds(signature, "KeyInfo"), "X509Data")
    serial = _ds(data, "X509IssuerSerial")
    _ds(serial, "X509IssuerName", fiel.x509.issuer.rfc4514_string())
    _ds(serial, "X509SerialNumber", str(fiel.x509.serial_number))
    _ds(data, "X509Certificate", fiel.base64)
