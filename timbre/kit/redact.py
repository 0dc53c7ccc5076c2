"""Secrets out of the logs.

The links we send carry their secret in the URL: `/reset-password/<token>`, `/login/<token>`,
`/onboarding/<token>`, `/pay/<token>` and the `signature=` of a file link. An access log line (and any log
line naming a path) would make them usable by whoever reads the logs, so a filter on every handler replaces
them with `[redacted]`. `kit.logs.logging_config` (what `timbre serve` and `timbre worker` use) puts it on its
handler; `install` adds it to uvicorn's loggers of a process started otherwise.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_PATH_SECRET = re.compile(r"(/(?:reset-password|login|onboarding|pay)/)[^/?#\s\"']+")
_QUERY_SECRET = re.compile(
    r"([?&](?:signature|token|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    return _QUERY_SECRET.sub(rf"\g<1>{REDACTED}", _PATH_SECRET.sub(rf"\g<1>{REDACTED}", text))


class RedactSecrets(logging.Filter):
    """Redacts link secrets in a record's message and arguments (keeping their shape: uvicorn's access
    formatter unpacks the arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install() -> None:
    """Add the filter to uvicorn's loggers (once), for a server not started by `timbre serve`."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
