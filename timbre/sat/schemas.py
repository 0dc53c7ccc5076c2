"""SAT connection payloads (spec §2.6: `POST /teams/{id}/sat-connection`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from timbre.schemas import Strict


class CsdDetails(BaseModel):
    serialNumber: str  # gigstack's spelling
    validFrom: int
    validTo: int
    rfc: str
    legalName: str
    livemode: bool


class SatConnectionOut(BaseModel):
    isValid: bool
    details: CsdDetails


class ManifestSignIn(Strict):
    """The FIEL as base64 text; each part is checked by the service so a missing one is the spec's 400."""

    key: str | None = Field(None, max_length=100_000, description="The FIEL's .key file (DER PKCS#8), base64")
    cert: str | None = Field(None, max_length=100_000, description="The FIEL's .cer file (DER X.509), base64")
    password: str | None = Field(None, max_length=200, description="The .key's password")


class ManifestSignOut(BaseModel):
    xmlBase64: str
    pdfBase64: str
    fechaFirma: str
    mensajeResultado: str
