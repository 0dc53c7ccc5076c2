"""Which URLs a webhook may point at: `https://` for live webhooks, and no private, loopback, link-local or
otherwise non-public address unless the operator allows it (`TIMBRE_WEBHOOKS_ALLOW_PRIVATE`, which defaults to
allowed for test-mode webhooks). Checked on create/update, and again at each delivery's connection on the
addresses it connects to (`resolve`, used by `sender`): a name may resolve elsewhere later, or between a check
and a connection (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from timbre.config import Settings


class UnsafeUrl(Exception):
    """The URL may not receive webhooks; `category` is one of the delivery log's error categories."""

    def __init__(self, category: str, message: str) -> None:
        super().__init__(message)
        self.category = category
        self.message = message


def private_allowed(settings: Settings, livemode: bool) -> bool:
    if settings.webhooks_allow_private is None:
        return not livemode
    return settings.webhooks_allow_private


def check_shape(url: str, livemode: bool) -> None:
    """What can be told without DNS: scheme, host, no credentials in the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("malformed", "url must be an absolute http(s) URL")
    if livemode and parts.scheme != "https":
        raise UnsafeUrl("protocol", "live webhooks must use https://")
    if parts.username or parts.password:
        raise UnsafeUrl("userinfo", "url must not carry credentials (user:password@)")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Resolve `host` once and return its addresses, refused if any is not public (unless private ones are
    allowed). Delivery connects to these very addresses (`sender`): a second lookup could answer otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeUrl("dns", f"could not resolve {host!r}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise UnsafeUrl("private_host", f"{host!r} resolves to a private, loopback or link-local address")
    return addresses


def check_host(url: str, *, allow_private: bool, unresolvable_ok: bool = False) -> None:
    """Resolve the host and refuse it if any address is not public (unless private ones are allowed). On
    create/update a name that does not resolve yet is accepted (`unresolvable_ok`): delivery checks again."""
    parts = urlsplit(url)
    try:
        resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                allow_private=allow_private)
    except UnsafeUrl as exc:
        if not (unresolvable_ok and exc.category == "dns"):
            raise


def check(url: str, settings: Settings, livemode: bool, *, unresolvable_ok: bool = False) -> None:
    check_shape(url, livemode)
    check_host(url, allow_private=private_allowed(settings, livemode), unresolvable_ok=unresolvable_ok)
