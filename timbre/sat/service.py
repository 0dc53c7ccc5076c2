"""Connecting a team to SAT: upload of its CSD (spec §2.6), and loading it back to seal documents.

The checks run in the order a user fixes them, and each failure is a 400 naming the file at fault:
the files are present; the certificate is a DER X.509 file; the key is a DER PKCS#8 file that the
password opens and that belongs to the certificate; the certificate is a CSD (not a FIEL); its RFC
is the team's `tax_id`; it is valid now; it was issued by a trusted authority. Live mode trusts
SAT's production CAs only; test mode also trusts SAT's test CAs and the Timbre Test CA (`timbre
test-csd`), so a new user can try test mode without SAT's files, and with a real CSD too.

The private key is stored as unencrypted DER PKCS#8 inside an AES-GCM envelope whose key derives
from the server secret and whose associated data binds it to its row; it is never returned nor
logged (the password is not stored at all).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi.certs import (
    CertificateError,
    CertificateExpired,
    CertificateNotYetValid,
    Credential,
    KeyMismatch,
    NotACSD,
    RfcMismatch,
    UnreadableCertificate,
    UnreadableKey,
    UntrustedCertificate,
    WrongPassword,
    trust_store,
)
from timbre.errors import BadRequest, ValidationFailed
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.kit.crypto import decrypt, encrypt
from timbre.kit.ids import new_id
from timbre.models import Csd, Team
from timbre.sat.repository import CsdRepository
from timbre.teams.service import team as team_service

MAX_FILE_BYTES = 64 * 1024  # SAT's .cer and .key are ~1-2 KB
_KEY_PURPOSE = "csd-key:"

# (summary, request field) per failure; the English detail comes from the certificate check.
_FAILURES: dict[type[CertificateError], tuple[str, str]] = {
    UnreadableCertificate: ("Invalid certificate", "cert"),
    UnreadableKey: ("Invalid private key", "key"),
    WrongPassword: ("Invalid key password", "keyPass"),
    KeyMismatch: ("Key does not match certificate", "key"),
    NotACSD: ("Certificate is not a CSD", "cert"),
    RfcMismatch: ("Certificate RFC mismatch", "cert"),
    CertificateExpired: ("Certificate expired", "cert"),
    CertificateNotYetValid: ("Certificate not yet valid", "cert"),
    UntrustedCertificate: ("Untrusted certificate", "cert"),
}


@dataclass(frozen=True, slots=True)
class Upload:
    """The three parts of the multipart request, as received (None when absent)."""

    cer: bytes | None
    key: bytes | None
    password: str | None


def _failure(exc: CertificateError, livemode: bool) -> ValidationFailed:
    summary, field = _FAILURES.get(type(exc), ("Invalid certificate", "cert"))
    detail = exc.message[0].upper() + exc.message[1:]
    if isinstance(exc, UntrustedCertificate):
        detail = ("The certificate was not issued by SAT's production certificate authority (live mode accepts "
                  "SAT-issued CSDs only)") if livemode else \
            ("The certificate was not issued by SAT nor by the Timbre Test CA (generate a test CSD with "
             "`timbre test-csd`)")
    return ValidationFailed(summary, detail, code=exc.reason,
                            details=[{"field": field, "message": f"{field}: {detail}"}])


class SatConnectionService:
    def __init__(self) -> None:
        self._credentials: dict[str, Credential] = {}
        self._lock = threading.Lock()

    # ---- upload --------------------------------------------------------------------------------
    def check(self, team: Team, upload: Upload, *, livemode: bool, at: datetime | None = None) -> Credential:
        """The credential of a valid upload for `team`, or the 400 that says what is wrong."""
        missing = [name for name, value in (("cert", upload.cer), ("key", upload.key), ("keyPass", upload.password))
                   if not value]
        if missing:
            raise BadRequest("Invalid certificate", "Missing required files or invalid certificate format",
                             code="missing_files",
                             details=[{"field": name, "message": f"{name} is required"} for name in missing])
        assert upload.cer is not None and upload.key is not None and upload.password is not None
        too_big = [name for name, value in (("cert", upload.cer), ("key", upload.key)) if len(value) > MAX_FILE_BYTES]
        if too_big:
            raise BadRequest("Invalid certificate", "Missing required files or invalid certificate format",
                             code="invalid_files",
                             details=[{"field": n, "message": f"{n} is larger than a SAT file can be"}
                                      for n in too_big])
        if not team.tax_id:
            raise BadRequest("Team tax_id required", "Set the team's tax_id (RFC) before connecting its CSD",
                             code="team_tax_id_required",
                             details=[{"field": "tax_id", "message": "tax_id is required"}])
        try:
            credential = Credential.load(upload.cer, upload.key, upload.password)
            credential.check(rfc=team.tax_id, at=at or datetime.now(UTC),
                             trust=trust_store("live" if livemode else "test"))
        except CertificateError as exc:
            raise _failure(exc, livemode) from None
        return credential

    def connect(self, session: Session, secret: str, team: Team, upload: Upload, *, livemode: bool) -> Csd:
        """Check the upload and make it the team's active CSD for the mode."""
        return self.store(session, secret, team, self.check(team, upload, livemode=livemode), livemode=livemode)

    def store(self, session: Session, secret: str, team: Team, credential: Credential, *, livemode: bool,
              generated: bool = False) -> Csd:
        """Keep a checked credential as the team's active CSD for the mode (the key encrypted);
        `generated`: a test CSD Timbre made for the team (`sat.test_csd`)."""
        repo = CsdRepository.from_session(session)
        repo.deactivate_all(team.id, livemode)
        csd_id = new_id("csd")
        csd = Csd(
            id=csd_id, team_id=team.id, livemode=livemode, rfc=credential.rfc, legal_name=credential.legal_name,
            no_certificado=credential.no_certificado, cer=credential.der,
            key_encrypted=encrypt(secret, _KEY_PURPOSE + csd_id, credential.export_pkcs8()),
            not_before=int(credential.not_before.timestamp() * 1000),
            not_after=int(credential.not_after.timestamp() * 1000), active=True,
        )
        repo.add(csd)
        self._update_team(session, team, csd, generated)
        if not generated:
            team_service.emit(session, team, livemode, EventType.teams_sat_completed)
        return csd

    def _update_team(self, session: Session, team: Team, csd: Csd, generated: bool) -> None:
        """`team.sat` reports the live CSD when there is one, else the test one; both modes are kept
        under `modes` (teams exist in both modes, their CSDs do not)."""
        sat: dict[str, Any] = dict(team.sat or {})
        modes = dict(sat.get("modes") or {})
        modes["live" if csd.livemode else "test"] = {
            "completed": True, "connected_at": now_ms(), "csd_expires_at": csd.not_after,
            "serial_number": csd.no_certificado, "test_csd": generated,
        }
        shown = modes.get("live") or modes["test"]
        sat.update({k: shown[k] for k in ("completed", "connected_at", "csd_expires_at")})
        sat["modes"] = modes
        team.sat = sat
        session.flush()

    # ---- use -----------------------------------------------------------------------------------
    def active(self, session: Session, team_id: str, livemode: bool) -> Csd | None:
        return CsdRepository.from_session(session).active(team_id, livemode)

    def by_no_certificado(self, session: Session, team_id: str, livemode: bool, no_certificado: str) -> Csd | None:
        return CsdRepository.from_session(session).by_no_certificado(team_id, livemode, no_certificado)

    def credential(self, secret: str, csd: Csd) -> Credential:
        """The CSD's credential. Rows never change (a new upload is a new row), so decrypted keys are
        cached per row id: the cache cannot disagree with another process."""
        cached = self._credentials.get(csd.id)
        if cached is not None:
            return cached
        key = decrypt(secret, _KEY_PURPOSE + csd.id, csd.key_encrypted)
        credential = Credential.from_pkcs8(csd.cer, key)
        with self._lock:
            if len(self._credentials) > 1024:
                self._credentials.clear()
            self._credentials[csd.id] = credential
        return credential

    @staticmethod
    def serialize(csd: Csd) -> dict[str, Any]:
        return {
            "isValid": True,
            "details": {
                "serialNumber": csd.no_certificado,
                "validFrom": csd.not_before,
                "validTo": csd.not_after,
                "rfc": csd.rfc,
                "legalName": csd.legal_name,
                "livemode": csd.livemode,
            },
        }


sat_connection = SatConnectionService()
