"""Signing secrets: `whsec_` + base64 of 24 random bytes (the Standard Webhooks format), stored AES-GCM
encrypted like CSD keys. After a rotation both secrets sign for 24 hours (two `v1,` signatures)."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook as Signer

from timbre.kit import crypto

_PURPOSE = "webhook-secret"
PREVIOUS_VALID_MS = 24 * 3600 * 1000


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def seal(server_secret: str, secret: str) -> bytes:
    return crypto.encrypt(server_secret, _PURPOSE, secret.encode())


def unseal(server_secret: str, blob: bytes) -> str:
    return crypto.decrypt(server_secret, _PURPOSE, blob).decode()


def headers(secrets: list[str], msg_id: str, at_ms: int, body: str) -> dict[str, str]:
    """The Standard Webhooks headers for `body`, signed with each secret (current first)."""
    when = datetime.fromtimestamp(at_ms / 1000, UTC)
    signatures = " ".join(Signer(secret).sign(msg_id, when, body) for secret in secrets)
    return {"webhook-id": msg_id, "webhook-timestamp": str(at_ms // 1000), "webhook-signature": signatures}
