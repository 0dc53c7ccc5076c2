"""The embedded sandbox PAC: stamps test-mode documents offline, after the checks a real PAC makes.

`stamp` parses strictly, validates SAT's schema and catalogs, checks the certificate (a CSD of
the issuer, valid at Fecha, issued by a trusted CA: SAT's test CAs or the Timbre Test CA), the
Sello, the 72-hour window, then SAT's business rules through the `rules` hook, and finally adds a
TimbreFiscalDigital 1.1 signed by the committed sandbox certificate (`data/sandbox/`, RFC
SPR190613I52 in its x500UniqueIdentifier). Rejections carry the codes real PACs answer with
(Anexo 20's 30x/401 codes, CFDI40xxx).

The sandbox keeps no state (any number of processes may stamp): `cancel` accepts every
well-formed request with EstatusUUID 201 and hands it to the `cancellations` hook, the simulated SAT
of test mode (`timbre.satws`), which applies SAT's acceptance rules and answers the request's
EstatusCancelacion ("En proceso" when the receiver must accept it). SAT's status of a CFDI is asked
of SAT's services (`timbre.satws`), never of a PAC.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import uuid as uuid_module
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any, Protocol

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.cfdi import CFDI

from ...catalogs import husos
from .. import xmlsafe, xsd
from ..certs import Certificate, CertificateError, Credential, TrustStore, trust_store
from ..seal import CFDI_NS, COMPROBANTE, find_timbre, verify_seal, verify_timbre
from .base import PAC, CancelMotive, CancelResult, Environment, PacRejected, StampResult
from .base import check_cancel_request as _check_cancel_request
from .sandbox_common import add_timbre, check_window, unstamped
from .sandbox_retenciones import RetencionesStamper

SANDBOX_RFC = "SPR190613I52"
# FechaTimbrado and the acuse's Fecha are central Mexico's clock (no DST since 2022).
MEXICO_TZ = timezone(timedelta(hours=-6), "America/Mexico_City")
# Fecha is read in the zone of LugarExpedicion (c_CodigoPostal): only clock drift may put it ahead.
_CLOCK_SKEW = timedelta(minutes=5)


class Violation(Protocol):
    """What the rules hook returns (timbre.cfdi.rules' Violation fits)."""

    @property
    def code(self) -> str: ...

    @property
    def message_es(self) -> str: ...

    @property
    def message_en(self) -> str: ...


RulesHook = Callable[[CFDI], Sequence[Violation]]
# (UUID, RfcEmisor) -> SAT's EstatusCancelacion after the request, or None when SAT does not hold the UUID.
CancellationHook = Callable[[str, str], str | None]


class RulesRejected(PacRejected):
    """SAT business rules (CFDI40xxx / CRP20xxx) rejected the document."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        first = violations[0]
        super().__init__(
            first.code, first.message_es, details=[f"{v.code}: {v.message_en}" for v in violations]
        )
        self.violations = list(violations)


@cache
def sandbox_credential() -> Credential:
    """The sandbox PAC's committed certificate and key (test-only material)."""
    folder = resources.files("timbre.cfdi") / "data" / "sandbox"
    return Credential.from_pkcs8(
        (folder / "sandbox_pac.cer").read_bytes(), (folder / "sandbox_pac.key").read_bytes()
    )


def verify_tfd(xml: bytes) -> bool:
    """Whether `xml` carries a TimbreFiscalDigital validly signed by the sandbox PAC."""
    return verify_timbre(xml, sandbox_credential())


class SandboxPAC(RetencionesStamper, PAC):
    name = "sandbox"
    rfc = SANDBOX_RFC

    def __init__(
        self,
        *,
        rules: RulesHook | None = None,
        trust: TrustStore | None = None,
        clock: Callable[[], datetime] | None = None,
        max_age: timedelta = timedelta(hours=72),
        cancellations: CancellationHook | None = None,
    ) -> None:
        super().__init__(Environment.TEST)
        self.rules = rules
        self.cancellations = cancellations
        self.trust = trust if trust is not None else trust_store("test")
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_age = max_age
        self.credential = sandbox_credential()

    # --- stamping ---------------------------------------------------------------------------

    def stamp(self, xml: bytes) -> StampResult:
        root = unstamped(xml, COMPROBANTE, "4.0", "CFDI 4.0 Comprobante", find_timbre)
        errors = xsd.schema_errors(root)
        if errors:
            raise PacRejected("301", "XML mal formado", details=errors)
        catalog = xsd.catalog_errors(root)
        if catalog:
            raise PacRejected(catalog[0].sat_code, catalog[0].message, details=[str(e) for e in catalog])
        now = self.clock()
        fecha = datetime.fromisoformat(root.get("Fecha")).replace(tzinfo=husos.zone(root.get("LugarExpedicion")))
        self._check_certificate(root, fecha)
        if not verify_seal(root):
            raise PacRejected(
                "CFDI40102", "El resultado de la digestión debe ser igual al resultado de la desencripción del sello."
            )
        check_window(fecha, now, skew=_CLOCK_SKEW, max_age=self.max_age, field="Fecha")
        if self.rules is not None:
            violations = self.rules(CFDI.from_xml(root))
            if violations:
                raise RulesRejected(violations)
        return add_timbre(root, CFDI_NS, self.credential, now.astimezone(MEXICO_TZ).replace(tzinfo=None,
                                                                                            microsecond=0))

    def _check_certificate(self, root: Any, fecha: datetime, rfc_emisor: str | None = None) -> None:
        """The certificate checks of a sealed document (the issuer's RFC read from a CFDI 4.0 unless given)."""
        try:
            certificate = Certificate.from_base64(root.get("Certificado") or "")
        except CertificateError as exc:
            raise PacRejected(
                "CFDI40106", "EL certificado no cumple con alguno de los valores permitidos.", details=[exc.message]
            ) from None
        if certificate.no_certificado != root.get("NoCertificado"):
            raise PacRejected(
                "CFDI40106", "EL certificado no cumple con alguno de los valores permitidos.",
                details=["NoCertificado is not the serial number of the embedded certificate"],
            )
        if not certificate.is_csd:
            raise PacRejected("306", "El certificado no es de tipo CSD", details=[f"it is a {certificate.kind}"])
        if rfc_emisor is None:
            rfc_emisor = root.find(f"{{{CFDI_NS}}}Emisor").get("Rfc")
        if certificate.rfc != rfc_emisor:
            raise PacRejected(
                "303", "Sello no corresponde a emisor",
                details=[f"the certificate belongs to {certificate.rfc}, the issuer is {rfc_emisor}"],
            )
        try:
            certificate.check_valid_at(fecha)
        except CertificateError as exc:
            raise PacRejected(
                "305", "La fecha de emisión no está dentro de la vigencia del CSD del Emisor", details=[exc.message]
            ) from None
        try:
            self.trust.check(certificate, at=fecha)
        except CertificateError as exc:
            raise PacRejected("308", "Certificado no expedido por el SAT", details=[exc.message]) from None

    def verify_tfd(self, xml: bytes) -> bool:
        return verify_timbre(xml, self.credential)

    # --- cancellation and status ------------------------------------------------------------

    def cancel(
        self,
        uuid: str,
        rfc_emisor: str,
        motive: CancelMotive | str,
        substitution_uuid: str | None = None,
        *,
        credential: Credential | None = None,
    ) -> CancelResult:
        _check_cancel_request(motive, substitution_uuid)
        try:
            canonical = str(uuid_module.UUID(uuid)).upper()
        except ValueError:
            raise PacRejected("205", "UUID no existe", details=[f"{uuid!r} is not a UUID"]) from None
        fecha = self.clock().astimezone(MEXICO_TZ).replace(tzinfo=None)
        document = _acuse(fecha=fecha, rfc_emisor=rfc_emisor.upper(), uuid=canonical, status="201")
        routed = self.cancellations(canonical, rfc_emisor) if self.cancellations is not None else None
        return CancelResult(uuid=canonical, status="201", acuse_xml=_sign(document, self.credential), fecha=fecha,
                            cancellation_status=routed)

    def verify_acuse(self, xml: bytes) -> bool:
        return verify_acuse(xml, self.credential)


# --- the cancellation acuse ----------------------------------------------------------------
# Shaped like SAT's Acuse de cancelación (Fecha, RfcEmisor, Folios/UUID/EstatusUUID) with an
# enveloped XML signature (C14N 1.0, RSA-SHA256) by the sandbox certificate.

ACUSE_NS = "http://cancelacfd.sat.gob.mx"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


def _acuse(*, fecha: datetime, rfc_emisor: str, uuid: str, status: str) -> Any:
    root = etree.Element(f"{{{ACUSE_NS}}}Acuse", nsmap={None: ACUSE_NS})
    root.set("Fecha", fecha.isoformat())
    root.set("RfcEmisor", rfc_emisor)
    folios = etree.SubElement(root, f"{{{ACUSE_NS}}}Folios")
    etree.SubElement(folios, f"{{{ACUSE_NS}}}UUID").text = uuid
    etree.SubElement(folios, f"{{{ACUSE_NS}}}EstatusUUID").text = status
    return root


def _ds(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{DS_NS}}}{name}", attributes)
    element.text = text
    return element


def _c14n_signed_info(signed_info: Any) -> bytes:
    """Inclusive C14N 1.0 of SignedInfo as xmldsig verifiers (xmlsec1) compute it. lxml's in-tree
    subtree C14N writes a stray `xmlns=""` on Transforms/Transform (a libxml2 quirk); a detached copy
    keeps the only namespaces in scope (xmldsig's default, which overrides the Acuse's) and none else."""
    return etree.tostring(copy.deepcopy(signed_info), method="c14n")  # type: ignore[no-any-return]


def _digest(root: Any) -> str:
    return base64.b64encode(hashlib.sha256(etree.tostring(root, method="c14n")).digest()).decode("ascii")


def _sign(root: Any, credential: Credential) -> bytes:
    digest = _digest(root)  # before the Signature exists: what the enveloped transform yields
    signature = etree.SubElement(root, f"{{{DS_NS}}}Signature", {"Id": "SelloSAT"}, nsmap={None: DS_NS})
    signed_info = _ds(signature, "SignedInfo")
    _ds(signed_info, "CanonicalizationMethod", Algorithm=_C14N)
    _ds(signed_info, "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    reference = _ds(signed_info, "Reference", URI="")
    transforms = _ds(reference, "Transforms")
    _ds(transforms, "Transform", Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    _ds(reference, "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    _ds(reference, "DigestValue", digest)
    value = credential.sign_sha256(_c14n_signed_info(signed_info))
    _ds(signature, "SignatureValue", base64.b64encode(value).decode("ascii"))
    key_info = _ds(signature, "KeyInfo")
    _ds(_ds(key_info, "X509Data"), "X509Certificate", credential.base64)
    return xmlsafe.tostring(root)


def verify_acuse(xml: bytes, certificate: Certificate | None = None) -> bool:
    """Whether a sandbox acuse is intact and signed by `certificate` (default: the sandbox's)."""
    certificate = certificate or sandbox_credential()
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError:
        return False
    signature = root.find(f"{{{DS_NS}}}Signature")
    if root.tag != f"{{{ACUSE_NS}}}Acuse" or signature is None:
        return False
    signed_info = signature.find(f"{{{DS_NS}}}SignedInfo")
    try:
        value = base64.b64decode(signature.findtext(f"{{{DS_NS}}}SignatureValue") or "", validate=True)
    except (binascii.Error, ValueError):
        return False
    if signed_info is None:
        return False
    # Acuses signed before the C14N fix signed lxml's in-tree form: still ours, still verified.
    forms = (_c14n_signed_info(signed_info), etree.tostring(signed_info, method="c14n"))
    if not any(certificate.verify_sha256(form, value) for form in forms):
        return False
    expected = signed_info.findtext(f"{{{DS_NS}}}Reference/{{{DS_NS}}}DigestValue")
    root.remove(signature)
    return bool(expected) and expected == _digest(root)
