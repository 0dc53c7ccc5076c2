"""The simulated Descarga Masiva: SAT's request → verify → download cycle over the CFDI stamped here."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest

from tests.invoices.conftest import Ready
from tests.satws.conftest import RECEPTOR_RFC, query, stamp
from timbre.cfdi.certs import Credential
from timbre.config import get_settings
from timbre.satws import simulated_download
from timbre.satws.base import Code, Direction, DownloadKind, RequestState
from timbre.satws.packages import METADATA_HEADER, parse_metadata
from timbre.satws.services import download_service
from timbre.satws.simulated_download import SimulatedDownload, SimulatedRules


def _sat(**rules: int) -> SimulatedDownload:
    return SimulatedDownload(get_settings().db_url, SimulatedRules(**rules))


def _finished(sat: SimulatedDownload, fiel: Credential, request_id: str, rfc: str = "EKU9003173C9") -> tuple[str, ...]:
    answer = sat.verify(fiel, rfc, request_id)
    assert (answer.state, answer.request_code) == (RequestState.FINISHED, Code.ACCEPTED), answer
    return answer.package_ids


def _files(package: bytes | None) -> dict[str, bytes]:
    assert package is not None
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class TestRequest:
    def test_accepted_with_a_request_id(self, fiel: Credential) -> None:
        answer = download_service(False).request(fiel, query())
        assert answer.code == Code.ACCEPTED and answer.request_id and len(answer.request_id) == 36

    def test_a_fiel_of_another_rfc_is_not_authenticated(self, receptor_fiel: Credential) -> None:
        answer = _sat().request(receptor_fiel, query())
        assert (answer.code, answer.request_id) == (Code.NOT_AUTHENTICATED, None)

    def test_a_csd_is_not_a_fiel(self, issuer: Ready) -> None:
        from tests.satws.conftest import credential
        from timbre.cfdi import testca

        csd = credential(testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE"))
        assert _sat().request(csd, query()).code == Code.NOT_AUTHENTICATED

    def test_reversed_dates_are_malformed(self, fiel: Credential) -> None:
        bad = query()
        bad = type(bad)(bad.rfc, bad.direction, bad.kind, bad.end, bad.start)
        assert _sat().request(fiel, bad).code == Code.BAD_REQUEST

    def test_the_same_query_in_progress_is_a_duplicate(self, fiel: Credential) -> None:
        sat = _sat()
        assert sat.request(fiel, query()).code == Code.ACCEPTED
        assert sat.request(fiel, query()).code == Code.DUPLICATE
        assert sat.request(fiel, query(kind=DownloadKind.METADATA)).code == Code.ACCEPTED

    def test_the_lifetime_quota_of_a_query(self, fiel: Credential) -> None:
        sat = _sat(steps=0, quota=2)
        for _ in range(2):
            answer = sat.request(fiel, query())
            assert answer.code == Code.ACCEPTED and answer.request_id
            sat.verify(fiel, "EKU9003173C9", answer.request_id)
        assert sat.request(fiel, query()).code == Code.QUOTA_EXCEEDED


class TestVerify:
    def test_accepted_then_in_progress_then_finished(self, issuer: Ready, fiel: Credential) -> None:
        stamp(issuer)
        sat = _sat(steps=2)
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        states = [sat.verify(fiel, "EKU9003173C9", request_id).state for _ in range(4)]
        assert states == [RequestState.ACCEPTED, RequestState.IN_PROGRESS, RequestState.FINISHED,
                          RequestState.FINISHED]
        assert sat.verify(fiel, "EKU9003173C9", request_id).cfdi_count == 1

    def test_nothing_found(self, fiel: Credential) -> None:
        sat = _sat(steps=0)
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        answer = sat.verify(fiel, "EKU9003173C9", request_id)
        assert (answer.state, answer.request_code, answer.package_ids) == (RequestState.FINISHED, Code.NOT_FOUND, ())

    def test_more_than_sat_allows_per_request(self, issuer: Ready, fiel: Credential,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
        stamp(issuer)
        stamp(issuer)
        monkeypatch.setattr(simulated_download, "MAX_CFDI", 1)
        sat = _sat(steps=0)
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        answer = sat.verify(fiel, "EKU9003173C9", request_id)
        assert (answer.state, answer.request_code, answer.package_ids) == (RequestState.REJECTED, Code.MAX_LIMIT, ())
        metadata_id = sat.request(fiel, query(kind=DownloadKind.METADATA)).request_id
        assert metadata_id and _finished(sat, fiel, metadata_id)  # the metadata cap is 1,000,000

    def test_an_unknown_request_or_another_rfcs(self, fiel: Credential, receptor_fiel: Credential) -> None:
        sat = _sat()
        assert sat.verify(fiel, "EKU9003173C9", "8a3a6c2b-0000-4000-8000-000000000000").code == Code.UNKNOWN_REQUEST
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        assert sat.verify(receptor_fiel, RECEPTOR_RFC, request_id).code == Code.UNKNOWN_REQUEST

    def test_state_is_shared_across_processes(self, fiel: Credential) -> None:
        sat = _sat(steps=1)
        request_id = sat.request(fiel, query()).request_id
        assert request_id and sat.verify(fiel, "EKU9003173C9", request_id).state == RequestState.ACCEPTED
        script = ("from tests.satws.test_simulated_download import verify_elsewhere; "
                  f"print(verify_elsewhere({request_id!r}))")
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
        assert out.stdout.strip().endswith("FINISHED 5004")


def verify_elsewhere(request_id: str) -> str:
    """Run in another process: verify a request with a fresh FIEL of the same RFC."""
    from tests.satws.conftest import credential
    from timbre.cfdi import testca

    fiel = credential(testca.make_test_fiel("EKU9003173C9", "ESCUELA KEMPER URGATE"))
    answer = _sat(steps=1).verify(fiel, "EKU9003173C9", request_id)
    return f"{answer.state.name} {answer.request_code}"


class TestDownload:
    def test_cfdi_packages_hold_the_stamped_xml(self, issuer: Ready, fiel: Credential) -> None:
        stamped = [stamp(issuer) for _ in range(3)]
        sat = _sat(steps=0, package_size=2)
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        package_ids = _finished(sat, fiel, request_id)
        assert len(package_ids) == 2 and all(p.startswith(request_id.upper() + "_") for p in package_ids)
        files: dict[str, bytes] = {}
        for package_id in package_ids:
            answer = sat.download(fiel, "EKU9003173C9", package_id)
            assert answer.code == Code.ACCEPTED
            files |= _files(answer.package)
        assert sorted(files) == sorted(f"{i['uuid']}.xml" for i in stamped)
        for invoice in stamped:
            xml = issuer.client.get(f"/v2/invoices/income/{invoice['uuid']}/xml", headers=issuer.headers)
            if xml.status_code == 200 and xml.content.startswith(b"<"):
                assert files[f"{invoice['uuid']}.xml"] == xml.content
            assert b'UUID="' + invoice["uuid"].encode() in files[f"{invoice['uuid']}.xml"]

    def test_received_documents_are_the_receivers(self, issuer: Ready, receptor_fiel: Credential,
                                                  fiel: Credential) -> None:
        invoice = stamp(issuer)
        sat = _sat(steps=0)
        request_id = sat.request(receptor_fiel, query(RECEPTOR_RFC, Direction.RECEIVED)).request_id
        assert request_id
        (package_id,) = _finished(sat, receptor_fiel, request_id, RECEPTOR_RFC)
        assert list(_files(sat.download(receptor_fiel, RECEPTOR_RFC, package_id).package)) == \
            [f"{invoice['uuid']}.xml"]
        assert sat.download(fiel, "EKU9003173C9", package_id).code == Code.UNKNOWN_REQUEST  # not the issuer's
        issued_id = sat.request(receptor_fiel, query(RECEPTOR_RFC, Direction.ISSUED)).request_id
        assert issued_id
        assert sat.verify(receptor_fiel, RECEPTOR_RFC, issued_id).request_code == Code.NOT_FOUND

    def test_metadata_is_sats_txt(self, issuer: Ready, fiel: Credential) -> None:
        kept, cancelled = stamp(issuer), stamp(issuer)
        res = issuer.client.request("DELETE", f"/v2/invoices/{cancelled['uuid']}", headers=issuer.headers,
                                    json={"motive": "02"})
        assert res.status_code == 200, res.text
        sat = _sat(steps=0)
        request_id = sat.request(fiel, query(kind=DownloadKind.METADATA)).request_id
        assert request_id
        (package_id,) = _finished(sat, fiel, request_id)
        (text,) = _files(sat.download(fiel, "EKU9003173C9", package_id).package).values()
        assert text.startswith(METADATA_HEADER.encode() + b"\r\n") and text.endswith(b"\r\n")
        assert b"\n" not in text.replace(b"\r\n", b"")
        rows = {r["Uuid"]: r for r in parse_metadata(text.decode())}
        assert set(rows) == {kept["uuid"], cancelled["uuid"]}
        row = rows[kept["uuid"]]
        assert (row["RfcEmisor"], row["RfcReceptor"], row["Monto"], row["EfectoComprobante"], row["Estatus"],
                row["FechaCancelacion"]) == ("EKU9003173C9", RECEPTOR_RFC, "2320.00", "I", "1", "")
        assert row["NombreEmisor"] == "ESCUELA KEMPER URGATE" and row["RfcPac"] == "SPR190613I52"
        assert rows[cancelled["uuid"]]["Estatus"] == "0" and rows[cancelled["uuid"]]["FechaCancelacion"]

    def test_a_package_downloaded_too_often(self, issuer: Ready, fiel: Credential) -> None:
        stamp(issuer)
        sat = _sat(steps=0, downloads=2)
        request_id = sat.request(fiel, query()).request_id
        assert request_id
        (package_id,) = _finished(sat, fiel, request_id)
        assert [sat.download(fiel, "EKU9003173C9", package_id).code for _ in range(3)] == \
            [Code.ACCEPTED, Code.ACCEPTED, Code.DOWNLOAD_LIMIT]

    def test_unknown_package_and_wrong_fiel(self, fiel: Credential, receptor_fiel: Credential) -> None:
        sat = _sat()
        assert sat.download(fiel, "EKU9003173C9", "NOPE_01").code == Code.UNKNOWN_REQUEST
        assert sat.download(receptor_fiel, "EKU9003173C9", "NOPE_01").code == Code.NOT_AUTHENTICATED
