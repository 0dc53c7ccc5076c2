"""`GET /v2/files/{key}`: downloads through the links `LocalStorage.url()` signs (no API key needed)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from timbre.deps import SettingsDep
from timbre.errors import ERROR_RESPONSES, Forbidden, NotFound
from timbre.kit.storage import (
    InvalidKey,
    ObjectNotFound,
    content_type_for,
    get_storage,
    storage_signing_key,
    verify_signature,
)

router = APIRouter(prefix="/files", tags=["Files"], responses=ERROR_RESPONSES)
_FILENAME_UNSAFE = str.maketrans({'"': "", "\\": "", "\r": "", "\n": ""})


@router.get("/{key:path}", response_class=Response,
            responses={200: {"description": "The file", "content": {"application/octet-stream": {}}}})
def download(
    key: str,
    settings: SettingsDep,
    expires: int = Query(..., ge=0, le=10**11, description="Unix seconds after which the link is refused"),
    signature: str = Query(..., min_length=64, max_length=64),
    filename: str | None = Query(None, max_length=255, description="Download name"),
) -> Response:
    """Download a stored file through a signed link (as returned in `url`/`files` fields); 403 once expired."""
    if not verify_signature(storage_signing_key(settings), key, expires, signature, filename):
        raise Forbidden("Invalid or expired link", "This download link is invalid or has expired")
    try:
        content = get_storage(settings).get(key)
    except (ObjectNotFound, InvalidKey):
        raise NotFound("File not found", "The file no longer exists") from None
    headers = {}
    if filename:
        # Headers are latin-1: an ASCII fallback plus the RFC 5987 UTF-8 form.
        plain = filename.encode("ascii", "ignore").decode().translate(_FILENAME_UNSAFE) or "download"
        headers["Content-Disposition"] = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=content_type_for(key), headers=headers)
