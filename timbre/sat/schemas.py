"""SAT connection payloads (spec §2.6: `POST /teams/{id}/sat-connection`)."""

from __future__ import annotations

from pydantic import BaseModel


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
