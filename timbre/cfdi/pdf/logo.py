"""Team logos, decoded and compressed once per process and reused by every PDF.

fpdf2 decodes and zlib-compresses an image each time a document embeds it (milliseconds for a
typical logo). We do that once per distinct logo and hand each new document a copy of the
resulting image record, registered under the key fpdf2 itself computes for the same bytes
(MD5 of the stripped bytes), so ``FPDF.image`` finds it cached and never decodes again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from fpdf import FPDF
from fpdf.image_parsing import get_img_info
from PIL import Image

MAX_PIXELS = 900  # longest side kept: ~300 dpi for the 62 mm logo box
_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class PreparedLogo:
    key: str  # fpdf2's image cache key for the original bytes
    info: Any  # fpdf2 RasterImageInfo (a dict); copied before each use
    width_px: int
    height_px: int


_cache: OrderedDict[bytes, PreparedLogo | None] = OrderedDict()
_lock = threading.Lock()


def prepare(data: bytes) -> PreparedLogo | None:
    """Decode ``data`` (PNG or JPEG) once; ``None`` when it is not a usable image."""
    digest = hashlib.sha256(data).digest()
    with _lock:
        if digest in _cache:
            _cache.move_to_end(digest)
            return _cache[digest]
    prepared = _decode(data)
    with _lock:
        _cache[digest] = prepared
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return prepared


def draw(pdf: FPDF, data: bytes, x: float, y: float, *, max_w: float, max_h: float) -> float:
    """Draw the logo top-left aligned inside ``max_w`` × ``max_h`` mm; return its bottom edge
    (``y`` itself when the logo cannot be used: a bad upload must not stop an invoice)."""
    prepared = prepare(data)
    if prepared is None:
        return y
    images = pdf.image_cache.images
    if prepared.key not in images:
        info = type(prepared.info)(prepared.info)
        info["i"] = len(images) + 1
        info["usages"] = 0  # fpdf2 counts this use when image() finds it cached
        images[prepared.key] = info
    scale = min(max_w / prepared.width_px, max_h / prepared.height_px)
    w, h = prepared.width_px * scale, prepared.height_px * scale
    pdf.image(BytesIO(data), x=x, y=y, w=w, h=h)
    return y + h


def _decode(data: bytes) -> PreparedLogo | None:
    try:
        with Image.open(BytesIO(data)) as opened:
            if opened.format not in ("PNG", "JPEG"):
                return None
            image = opened.convert("RGBA" if _has_alpha(opened) else "RGB")
        image.thumbnail((MAX_PIXELS, MAX_PIXELS))
        image.info.pop("icc_profile", None)  # converted to sRGB-agnostic RGB; keeps records self-contained
        info = get_img_info("logo", image)
    except Exception:  # Pillow raises many exception types for corrupt or hostile input
        return None
    info["iccp_i"] = None
    key = hashlib.md5(data.strip(), usedforsecurity=False).hexdigest()
    return PreparedLogo(key=key, info=info, width_px=image.width, height_px=image.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
