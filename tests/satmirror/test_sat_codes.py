"""How a run acts on each of SAT's answers. The simulated SAT answers, with a thin wrapper that makes it
give one of SAT's rarer answers where the simulation has no rule for it (5003 over a wide window, 5005, a
lost request, an outage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.satmirror.conftest import stamp
from tests.satmirror.helpers import mirror, run_of
from timbre.cfdi.certs import Credential
from timbre.config import get_settings
from timbre.satmirror import job
from timbre.satws.base import (
    Code,
    DownloadKind,
    DownloadQuery,
    PackageAnswer,
    RequestAnswer,
    RequestState,
    SatUnavailable,
    VerifyAnswer,
)
from timbre.satws.services import download_service


@dataclass
class Sat:
    """The simulated SAT, answering `script` first (per operation) and `cap` for windows wider than it."""

    cap: timedelta | None = None
    requests: list[object] = field(default_factory=list)
    verifies: list[object] = field(default_factory=list)
    downloads: list[object] = field(default_factory=list)
    asked: list[DownloadQuery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.real = download_service(False)

    @staticmethod
    def _scripted(script: list[object]) -> object | None:
        if not script:
            return None
        answer = script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def request(self, fiel: Credential, query: DownloadQuery) -> RequestAnswer:
        self.asked.append(query)
        scripted = self._scripted(self.requests)
        if isinstance(scripted, RequestAnswer):
            return scripted
        if self.cap is not None and query.end - query.start > self.cap:
            return RequestAnswer(Code.MAX_LIMIT, "Tope máximo de elementos de la consulta", None)
        return self.real.request(fiel, query)

    def verify(self, fiel: Credential, rfc: str, request_id: str) -> VerifyAnswer:
        scripted = self._scripted(self.verifies)
        return scripted if isinstance(scripted, VerifyAnswer) else self.real.verify(fiel, rfc, request_id)

    def download(self, fiel: Credential, rfc: str, package_id: str) -> PackageAnswer:
        scripted = self._scripted(self.downloads)
        return scripted if isinstance(scripted, PackageAnswer) else self.real.download(fiel, rfc, package_id)


def _run(client: TestClient, ready: Ready, sat: Sat, *, passes: int = 30) -> tuple[str, list[str]]:
    res = client.post("/v2/invoices/download/request", headers=ready.headers,
                      json={"start_date": "2026-01-01", "end_date": "2027-12-31", "rfc_type": "issued"})
    assert res.status_code == 200, res.text
    run_id = res.json()["data"]["run_id"]
    ctx = job.Context(db_url=get_settings().db_url, secret=get_settings().secret(), service=sat, lease_ms=60_000,
                      poll_ms=0)
    outcomes, token = [], None
    for _ in range(passes):
        outcome, token = job.work(ctx, run_id, ready.account.team_id, False, token)
        outcomes.append(outcome)
        if outcome != "wait":
            return run_id, outcomes
    raise AssertionError(outcomes)


@pytest.fixture
def issuer(pair: tuple[Ready, Ready]) -> Ready:
    a, _b = pair
    stamp(a)
    stamp(a)
    return a


LOST = VerifyAnswer(Code.UNKNOWN_REQUEST, "Solicitud no encontrada", RequestState.ERROR, "", 0, ())


class TestSatAnswers:
    def test_5003_splits_the_window_in_halves_until_sat_accepts(self, client: TestClient, issuer: Ready) -> None:
        run_id, outcomes = _run(client, issuer, Sat(cap=timedelta(days=200)))
        assert outcomes[-1] == "completed"
        run, requests = run_of(run_id)
        assert {r.status for r in requests if r.parent_id is None} == {"split"}
        assert all(r.status in ("completed", "split") for r in requests)
        assert len(mirror(issuer)) == 2 and run.imported == 4  # 2 by metadata, then 2 by XML

    def test_5002_quota_fails_the_request_with_sat_s_message(self, client: TestClient, issuer: Ready) -> None:
        quota = RequestAnswer(Code.QUOTA_EXCEEDED, "Se agotó las solicitudes de por vida", None)
        run_id, outcomes = _run(client, issuer, Sat(requests=[quota]))
        run, requests = run_of(run_id)
        metadata = next(r for r in requests if r.kind == "Metadata")
        assert (metadata.status, metadata.code) == ("failed", "5002")
        assert "5002" in (run.message or "") and outcomes[-1] == "completed"  # the CFDI request still ran
        assert len(mirror(issuer)) == 2

    def test_5005_duplicate_and_an_outage_are_asked_again(self, client: TestClient, issuer: Ready) -> None:
        duplicate = RequestAnswer(Code.DUPLICATE, "Solicitud duplicada", None)
        run_id, outcomes = _run(client, issuer, Sat(requests=[duplicate, SatUnavailable("timeout")]))
        assert outcomes[:2] == ["wait", "wait"] and outcomes[-1] == "completed"
        _, requests = run_of(run_id)
        assert {r.status for r in requests} == {"completed"}
        assert len(mirror(issuer)) == 2

    def test_5004_nothing_found_completes_with_no_cfdi(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        run_id, outcomes = _run(client, a, Sat())
        _, requests = run_of(run_id)
        assert outcomes[-1] == "completed" and {r.code for r in requests} == {"5004"}
        assert mirror(a) == []

    def test_a_request_sat_lost_404_is_asked_anew(self, client: TestClient, issuer: Ready) -> None:
        sat = Sat(verifies=[LOST])
        _run_id, outcomes = _run(client, issuer, sat)
        assert outcomes[-1] == "completed"
        assert len([q for q in sat.asked if q.kind == DownloadKind.METADATA]) >= 2  # asked anew after the 404
        assert len(mirror(issuer)) == 2

    def test_a_package_sat_refuses_5008_fails_its_request(self, client: TestClient, issuer: Ready) -> None:
        refused = PackageAnswer(Code.DOWNLOAD_LIMIT, "Máximo de descargas permitidas", None)
        run_id, _outcomes = _run(client, issuer, Sat(downloads=[refused]))
        _, requests = run_of(run_id)
        metadata = next(r for r in requests if r.kind == "Metadata")
        assert metadata.status == "failed" and "5008" in (metadata.message or "")
        assert [row["resource_status"] for row in mirror(issuer)] == ["xml_downloaded"] * 2

    def test_an_authentication_error_fails_the_run(self, client: TestClient, issuer: Ready) -> None:
        refused = RequestAnswer(Code.NOT_AUTHENTICATED, "Usuario no válido", None)
        run_id, outcomes = _run(client, issuer, Sat(requests=[refused, refused]))
        run, _requests = run_of(run_id)
        assert outcomes[-1] == "failed" and run.status == "failed" and "300" in (run.message or "")
