"""Fixtures of the CFDI core tests: fresh certificates issued at a fixed instant, so no test depends
on today's date (SAT's own test certificates expired in 2023)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cfdi.cfdi_samples import INSTANT
from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac.sandbox import SandboxPAC


@pytest.fixture(scope="session")
def make_credential() -> Callable[[str, str], Credential]:
    """A CSD of the given RFC from the Timbre Test CA, valid around INSTANT (cached per RFC)."""
    made: dict[str, Credential] = {}

    def make(rfc: str, name: str) -> Credential:
        if rfc not in made:
            files = testca.make_test_csd(rfc, name, now=INSTANT)
            made[rfc] = Credential.load(files.cer, files.key, files.password)
        return made[rfc]

    return make


@pytest.fixture(scope="session")
def credential(make_credential: Callable[[str, str], Credential]) -> Credential:
    return make_credential("EKU9003173C9", "ESCUELA KEMPER URGATE")


@pytest.fixture
def sandbox() -> SandboxPAC:
    return SandboxPAC(clock=lambda: INSTANT)
