"""The self-invoice link of a receipt (its `url`): `<TIMBRE_PUBLIC_URL>/autofactura?id=<receipt>&sig=<hmac>`.

The signature (HMAC-SHA256 of the receipt id with a key derived from the server secret) is the
capability: no API key is needed, and nobody can guess another receipt's link. It does not expire by
itself: the page refuses the receipt once `valid_until` has passed (or it was cancelled or invoiced),
and reopening a receipt extends that without changing its link.
"""

from __future__ import annotations

import hmac

from timbre.kit.crypto import derive_key, hmac_hex
from timbre.models import Receipt

PATH = "/autofactura"


def signature(secret: str, receipt_id: str) -> str:
    return hmac_hex(derive_key(secret, "self-invoice"), receipt_id)[:32]


def verify(secret: str, receipt_id: str, sig: str) -> bool:
    return hmac.compare_digest(signature(secret, receipt_id).encode(), sig.encode("utf-8", "replace"))


def self_invoice_url(public_url: str, secret: str, receipt: Receipt) -> str:
    return f"{public_url.rstrip('/')}{PATH}?id={receipt.id}&sig={signature(secret, receipt.id)}"
