"""`POST /v2/tools/verify-cfdi`: is this CFDI genuine, and what does SAT say of it now?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from timbre.auth.dependencies import ReadAuth
from timbre.deps import DeferredSession
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.kit.envelope import Envelope, ok
from timbre.satmirror.verify_service import verify_cfdi

router = APIRouter(prefix="/tools", tags=["Tools"], responses=ERROR_RESPONSES)
MAX_XML_BYTES = 8 * 1024 * 1024
XML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/xml": {"schema": {"type": "string", "description": "The CFDI's XML"}},
    "text/xml": {"schema": {"type": "string"}}}}}


async def _xml(request: Request) -> bytes:
    return await request.body()


@router.post("/verify-cfdi", response_model=Envelope[dict[str, Any]], openapi_extra=XML_BODY)
def verify_cfdi_route(session: DeferredSession, auth: ReadAuth, body: bytes = Depends(_xml)) -> dict[str, Any]:
    """Verify any CFDI 4.0 or 3.3 (its XML as the body): SAT's schema, the issuer's seal, the TFD's seal, the
    issuer on SAT's 69-B list (`verification`), and SAT's status service's answer (`sat_status`: Vigente,
    Cancelado or No Encontrado, cancellability). Nothing is stored (the request takes no write lock while SAT
    answers). A body that is not a stamped CFDI is a 400."""
    if len(body) > MAX_XML_BYTES:
        raise BadRequest("CFDI too large", f"The XML exceeds {MAX_XML_BYTES // 2**20} MiB", code="invalid_file_format")
    return ok("CFDI verified", verify_cfdi(session, body, livemode=auth.livemode))
