"""DNS rebinding: a webhook's host is resolved once, that answer is checked, and the connection goes to it.

127.0.0.2 stands for a public address here (the policy is told so), 127.0.0.1 for the internal service an
attacker's name would be re-pointed at; two real receivers listen on the same port on each. The resolver is
replaced for one name only, answering the "public" address first and the internal one afterwards; the
connection's own resolution (if any) goes through the same replaced resolver, so a second lookup would reach
the internal receiver.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.webhooks.receiver import Receiver, receiver
from tests.webhooks.tls import server_tls
from timbre.webhooks import sender, urls

NAME = "hooks.rebind.test"
PUBLIC, INTERNAL = "127.0.0.2", "127.0.0.1"
_real_getaddrinfo = socket.getaddrinfo


class FlippingResolver:
    """Answers `first` to the first lookup of NAME and `then` to every later one."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then, self.lookups = first, then, 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != NAME:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups += 1
        address = self.first if self.lookups == 1 else self.then
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]


@pytest.fixture(autouse=True)
def fresh_pools(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(urls, "_is_public", lambda address: address == PUBLIC)
    sender._pool.cache_clear()
    yield
    sender._pool.cache_clear()


def settled(*receivers: Receiver) -> None:
    """Wait until every request a receiver read is recorded (it records after answering)."""
    deadline = time.monotonic() + 30
    while any(len(rx.received) < rx.arrived for rx in receivers) and time.monotonic() < deadline:
        time.sleep(0.01)


@contextmanager
def twin_receivers(**tls: Any) -> Iterator[tuple[Receiver, Receiver]]:
    """A receiver on PUBLIC and one on INTERNAL, on the same port."""
    for _ in range(20):
        with ExitStack() as stack:
            public = stack.enter_context(receiver(bind=(PUBLIC, 0), **tls))
            try:
                internal = stack.enter_context(receiver(bind=(INTERNAL, public.port), **tls))
            except OSError:  # the port is taken on 127.0.0.1: another one
                continue
            yield public, internal
            return
    raise RuntimeError("no port free on both loopback addresses")


class TestPinnedConnection:
    def test_the_checked_answer_is_the_one_connected_to(self, monkeypatch: pytest.MonkeyPatch) -> None:
        resolver = FlippingResolver(PUBLIC, INTERNAL)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        with twin_receivers() as (public, internal):
            outcome = sender.post(f"http://{NAME}:{public.port}/hook", '{"a":1}', {"webhook-id": "msg_1"},
                                  allow_private=False)
            assert outcome.ok and outcome.status_code == 200
            settled(public, internal)
            assert [r.body for r in public.received] == ['{"a":1}'] and internal.received == []
            assert public.received[0].headers["host"] == f"{NAME}:{public.port}"
        assert resolver.lookups == 1

    def test_a_private_answer_is_refused_before_connecting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        resolver = FlippingResolver(INTERNAL, PUBLIC)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        with twin_receivers() as (public, internal):
            outcome = sender.post(f"http://{NAME}:{public.port}/hook", "{}", {}, allow_private=False)
            assert (outcome.ok, outcome.error_category) == (False, "private_host")
            assert public.arrived == 0 and internal.arrived == 0
        assert resolver.lookups == 1

    def test_private_answers_are_connected_to_when_allowed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(socket, "getaddrinfo", FlippingResolver(INTERNAL, PUBLIC))
        with twin_receivers() as (public, internal):
            outcome = sender.post(f"http://{NAME}:{public.port}/hook", "{}", {}, allow_private=True)
            settled(public, internal)
            assert outcome.ok and len(internal.received) == 1 and public.received == []

    def test_an_unresolvable_name_is_a_dns_failure(self) -> None:
        outcome = sender.post("http://does-not-exist.invalid/hook", "{}", {}, allow_private=False)
        assert (outcome.ok, outcome.error_category) == (False, "dns")


class TestPinnedTls:
    def test_https_to_the_pinned_address_is_verified_for_the_host_name(self, monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
        tls = server_tls([NAME], tmp_path)
        monkeypatch.setattr(sender, "tls_context", tls.client)
        resolver = FlippingResolver(PUBLIC, INTERNAL)
        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        with twin_receivers(tls=tls.server) as (public, internal):
            outcome = sender.post(f"https://{NAME}:{public.port}/hook", '{"b":2}', {}, allow_private=False)
            assert outcome.ok, outcome
            settled(public, internal)
            assert [r.body for r in public.received] == ['{"b":2}'] and internal.received == []
        assert tls.server_names == [NAME] and resolver.lookups == 1

    def test_a_certificate_for_another_name_is_refused(self, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
        tls = server_tls(["elsewhere.test"], tmp_path)
        monkeypatch.setattr(sender, "tls_context", tls.client)
        monkeypatch.setattr(socket, "getaddrinfo", FlippingResolver(PUBLIC, INTERNAL))
        with twin_receivers(tls=tls.server) as (public, internal):
            outcome = sender.post(f"https://{NAME}:{public.port}/hook", "{}", {}, allow_private=False)
            assert (outcome.ok, outcome.error_category, outcome.error) == (False, "endpoint_unavailable",
                                                                           "ConnectError")
            assert public.received == [] and internal.received == []
