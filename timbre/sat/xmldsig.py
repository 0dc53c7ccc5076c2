"""Enveloped XML-DSig signatures (W3C XML Signature 1.1) made with a SAT credential.

One `ds:Signature` appended to the document's root: a single `Reference URI=""` over the whole document
with the enveloped-signature and exclusive C14N transforms, SHA-256 digest, exclusive C14N of `SignedInfo`,
RSA-SHA256 (PKCS#1 v1.5), and the signer's certificate in `KeyInfo/X509Data`. Any conforming verifier
(xmlsec1, signxml, Java's XMLSignature) checks it.
"""

from __future__ import annotations

import base64
import hashlib

from lxml import etree

from timbre.cfdi.certs import Credential

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def _c14n(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, method="c14n", exclusive=True, with_comments=False))


def _sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{DS}}}{name}", attributes)
    if text is not None:
        child.text = text
    return child


def sign_enveloped(root: etree._Element, credential: Credential) -> etree._Element:
    """Append the signature to `root` (which must hold no signature yet) and return it."""
    digest = base64.b64encode(hashlib.sha256(_c14n(root)).digest()).decode("ascii")
    signature = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
    signed_info = _sub(signature, "SignedInfo")
    _sub(signed_info, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _sub(signed_info, "SignatureMethod", Algorithm=RSA_SHA256)
    reference = _sub(signed_info, "Reference", URI="")
    transforms = _sub(reference, "Transforms")
    _sub(transforms, "Transform", Algorithm=ENVELOPED)
    _sub(transforms, "Transform", Algorithm=EXC_C14N)
    _sub(reference, "DigestMethod", Algorithm=SHA256)
    _sub(reference, "DigestValue", digest)
    value = credential.sign_sha256(_c14n(signed_info))
    _sub(signature, "SignatureValue", base64.b64encode(value).decode("ascii"))
    x509_data = _sub(_sub(signature, "KeyInfo"), "X509Data")
    _sub(x509_data, "X509Certificate", credential.base64)
    return signature
