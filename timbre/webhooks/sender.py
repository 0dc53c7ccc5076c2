"""One HTTP POST to a webhook: 10 s timeout, no redirects followed, at most 1 KB of the answer read.

The connection goes to an address checked when it was opened: the host is resolved once (`urls.resolve`), every
answer checked, and the socket opened to one of those very addresses. A second lookup by the HTTP client could
answer otherwise (DNS rebinding: public for the check, 127.0.0.1 for the connection). The URL keeps the host
name, so the Host header, TLS's SNI and the certificate check are still for that name.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import httpcore
import httpx

from timbre.webhooks import urls

TIMEOUT_S = 10.0
KEEP_BYTES = 1024
# What a failed connection or exchange can raise (httpcore's errors have no common base class).
_TRANSPORT_ERRORS = (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, httpcore.ProxyError)


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    duration_ms: int
    body: str | None
    error_category: str | None = None
    error: str | None = None


class PinnedBackend(httpcore.SyncBackend):
    """Opens TCP connections only to the addresses `urls.resolve` returned and checked, in their order."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in urls.resolve(host, port, allow_private=self.allow_private):
            try:  # an address literal: no second lookup
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host!r}")


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the default CA bundle, for the URL's host name."""
    return httpx.create_ssl_context(trust_env=False)


@cache
def _pool(allow_private: bool) -> httpcore.ConnectionPool:
    """One pool per process and policy, shared by the worker threads (it is thread-safe): building one loads the
    CA bundle, ~100 ms, which would otherwise be paid per delivery. A kept-alive connection is reused only under
    the policy that checked its address."""
    return httpcore.ConnectionPool(ssl_context=tls_context(), max_connections=100, max_keepalive_connections=20,
                                   network_backend=PinnedBackend(allow_private=allow_private))


def post(url: str, body: str, headers: dict[str, str], *, allow_private: bool,
         timeout: float = TIMEOUT_S) -> Outcome:
    """POST `body` to `url`, connecting only to addresses that are public unless `allow_private`."""
    started = time.monotonic()
    request_headers = {"content-type": "application/json", "user-agent": "Timbre-Webhooks/1", **headers}
    try:
        parsed = httpx.URL(url)
        target = httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port,
                              target=parsed.raw_path)
    except (httpx.InvalidURL, TypeError, ValueError):
        return Outcome(False, None, _since(started), None, "malformed", "url is not a valid URL")
    limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    try:
        with _pool(allow_private).stream("POST", target, headers=list(request_headers.items()),
                                         content=body.encode(), extensions={"timeout": limits}) as response:
            kept = b""
            for chunk in response.iter_stream():
                kept += chunk
                if len(kept) >= KEEP_BYTES:
                    break
            code = response.status
    except urls.UnsafeUrl as exc:
        return Outcome(False, None, _since(started), None, exc.category, exc.message)
    except httpcore.TimeoutException:
        return Outcome(False, None, _since(started), None, "network_or_timeout", "timed out")
    except _TRANSPORT_ERRORS as exc:
        return Outcome(False, None, _since(started), None, "endpoint_unavailable", type(exc).__name__)
    text = kept[:KEEP_BYTES].decode("utf-8", "replace")
    if 300 <= code < 400:
        return Outcome(False, code, _since(started), text, "redirect", "redirects are not followed")
    if not 200 <= code < 300:
        return Outcome(False, code, _since(started), text, "http_response", f"HTTP {code}")
    return Outcome(True, code, _since(started), text)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
