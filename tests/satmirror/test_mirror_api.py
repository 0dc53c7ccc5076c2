"""The mirror's API as gigstack's CLI uses it (`sat list/get`, `sat retry/pdf`) and the import of SAT's ZIPs."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from tests.cfdi.cfdi33_sample import cfdi33
from tests.conftest import DB_KIND
from tests.factories import create_account
from tests.invoices.conftest import Ready
from tests.satmirror.conftest import Taxpayer, drive, stamp
from tests.satmirror.helpers import import_zip, issued_xml, mirror, zipped
from timbre.kit import pagination
from timbre.satws.packages import METADATA_HEADER

CLI_FIELDS = {"uuid", "direction", "invoice_type", "issuer", "receiver", "total", "currency", "status",
              "resource_status", "issue_date"}


@pytest.fixture
def received(client: TestClient, pair: tuple[Ready, Ready], taxpayers: tuple[Taxpayer, Taxpayer]) -> Ready:
    """Team B with, in its mirror: two CFDI 4.0 from A (received), one of its own (issued), a CFDI 3.3 from A."""
    a, b = pair
    xmls: dict[str, bytes] = {}
    for _ in range(2):
        uuid = stamp(a)["uuid"]
        xmls[f"{uuid}.xml"] = issued_xml(uuid)
    own = stamp(b)["uuid"]
    xmls[f"{own}.xml"] = issued_xml(own)
    xmls["old33.xml"] = cfdi33(taxpayers[0].csd)
    res = import_zip(client, b, xmls)
    assert res.status_code == 200, res.text
    assert res.json()["data"]["created"] == 4 and res.json()["data"]["rejected"] == []
    return b


class TestList:
    def test_the_cli_reads_its_fields_newest_first(self, received: Ready) -> None:
        rows = mirror(received)
        assert len(rows) == 4 and all(set(row) >= CLI_FIELDS for row in rows)
        assert [row["issue_date"] for row in rows] == sorted((row["issue_date"] for row in rows), reverse=True)
        assert {row["issuer"]["name"] for row in rows} >= {"ESCUELA KEMPER URGATE"}

    @pytest.mark.parametrize(("params", "count"), [
        ({"direction": "received"}, 3), ({"direction": "issued"}, 1), ({"status": "Vigente"}, 4),
        ({"status": "Cancelado"}, 0), ({"invoice_type": "I"}, 4), ({"invoice_type": "P"}, 0),
        ({"issuer_rfc": "eku9003173c9"}, 3), ({"receiver_rfc": "EKU9003173C9"}, 1),
        ({"from": "2021-06-10", "to": "2021-06-10"}, 1), ({"to": "2021-12-31"}, 1), ({"from": "2022-01-01"}, 3),
    ])
    def test_filters(self, received: Ready, params: dict[str, str], count: int) -> None:
        assert len(mirror(received, **params)) == count

    def test_pages_follow_starting_after(self, client: TestClient, received: Ready) -> None:
        seen: list[str] = []
        params: dict[str, str | int] = {"limit": 3}
        while True:
            body = client.get("/v2/invoices/sat", headers=received.headers, params=params).json()
            seen += [row["uuid"] for row in body["data"]]
            assert body["total_results"] == 4 and body["total_results_estimated"] is False
            if not body["has_more"]:
                break
            params["starting_after"] = body["next"]
        assert len(seen) == len(set(seen)) == 4

    @pytest.mark.parametrize("params", [{"direction": "sideways"}, {"status": "vigente"}, {"invoice_type": "X"},
                                        {"from": "yesterday"}, {"starting_after": "not-a-uuid"}, {"limit": 101}])
    def test_bad_filters_are_4xx(self, client: TestClient, received: Ready, params: dict[str, str]) -> None:
        res = client.get("/v2/invoices/sat", headers=received.headers, params=params)
        assert res.status_code in (400, 422) and res.json()["success"] is False

    def test_another_team_sees_nothing(self, client: TestClient, received: Ready,
                                       pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        assert mirror(a) == []
        assert mirror(received) and client.get("/v2/invoices/sat", headers=received.account.headers(live=True)
                                               ).json()["data"] == []


class TestGet:
    def test_one_by_uuid_with_its_verification(self, client: TestClient, received: Ready) -> None:
        row = mirror(received, direction="received")[0]
        res = client.get(f"/v2/invoices/sat/{row['uuid'].lower()}", headers=received.headers)
        assert res.status_code == 200 and res.json()["data"]["uuid"] == row["uuid"]
        assert res.json()["data"]["verification"]["valid"] is True and "xml" not in res.json()["data"]

    def test_unknown_uuid_is_404(self, client: TestClient, received: Ready) -> None:
        for uuid in ("00000000-0000-0000-0000-000000000000", "nope"):
            res = client.get(f"/v2/invoices/sat/{uuid}", headers=received.headers)
            assert res.status_code == 404 and res.json()["error"]["message"]


class TestPdf:
    def test_pdf_of_a_4_0_and_a_3_3_cfdi_at_the_top_level(self, client: TestClient, received: Ready) -> None:
        for row in mirror(received, direction="received"):
            res = client.post(f"/v2/invoices/sat/{row['uuid']}/pdf", headers=received.headers)
            assert res.status_code == 200, res.text
            assert base64.b64decode(res.json()["pdf"]).startswith(b"%PDF-")
        assert {row["version"] for row in mirror(received)} == {"4.0", "3.3"}

    def test_a_cfdi_known_by_metadata_only_has_no_pdf_yet(self, client: TestClient, received: Ready) -> None:
        uuid = _metadata_only(client, received)
        res = client.post(f"/v2/invoices/sat/{uuid}/pdf", headers=received.headers)
        assert res.status_code == 409 and res.json()["error"]["code"] == "xml_missing"


def _metadata_only(client: TestClient, ready: Ready, uuid: str = "11111111-2222-3333-4444-555555555555") -> str:
    line = f"{uuid}~EKU9003173C9~ESCUELA KEMPER URGATE~XIQB891116QE4~BERENICE~SPR190613I52~2026-11-30 10:00:00~" \
           "2026-11-30 10:01:00~1160.00~I~1~"
    res = import_zip(client, ready, {"meta.txt": f"{METADATA_HEADER}\r\n{line}\r\n".encode()})
    assert res.status_code == 200 and res.json()["data"]["created"] == 1, res.text
    return uuid


class TestRetryXml:
    def test_it_downloads_the_xml_of_a_cfdi_known_by_metadata(self, client: TestClient,
                                                              pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        uuid = stamp(a)["uuid"]
        line = f"{uuid}~EKU9003173C9~ESCUELA KEMPER URGATE~XIQB891116QE4~BERENICE~SPR190613I52~" \
               f"{mirror_date(a, uuid)}~{mirror_date(a, uuid)}~2320.00~I~1~"
        assert import_zip(client, b, {"m.txt": f"{METADATA_HEADER}\r\n{line}".encode()}).status_code == 200
        assert mirror(b)[0]["resource_status"] == "metadata"

        res = client.post(f"/v2/invoices/sat/{uuid}/retry-xml", headers=b.headers)

        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["credit_charged"] is False and data["resource_status"] == "xml_requested"
        assert drive(data["run_id"], b.account.team_id) == "completed"
        [row] = mirror(b)
        assert (row["resource_status"], row["verification"]["valid"]) == ("xml_downloaded", True)
        again = client.post(f"/v2/invoices/sat/{uuid}/retry-xml", headers=b.headers).json()
        assert again["message"] == "XML already downloaded" and again["data"]["run_id"] is None


def mirror_date(ready: Ready, uuid: str) -> str:
    xml = issued_xml(uuid).decode()
    return xml.split('Fecha="', 1)[1][:19].replace("T", " ")


class TestImport:
    def test_files_that_are_not_the_team_s_cfdi_are_listed_not_imported(self, client: TestClient,
                                                                         pair: tuple[Ready, Ready],
                                                                         taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        a, _b = pair
        stranger = cfdi33(taxpayers[0].csd, issuer="AAA010101AAA", receiver="BBB010101BBB")
        res = import_zip(client, a, {"x.xml": stranger, "junk.xml": b"<nope/>", "notes.pdf": b"%PDF-1.4",
                                     "bad.txt": b"Uuid~EfectoComprobante\r\nnot-a-uuid~I"})
        body = res.json()["data"]
        assert res.status_code == 200 and body["created"] == 0
        assert {r.get("file") or r.get("uuid") for r in body["rejected"]} >= {"junk.xml", "notes.pdf", "bad.txt"}
        assert len(body["rejected"]) == 4 and mirror(a) == []

    def test_loose_xml_and_the_same_import_twice(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        uuid = stamp(a)["uuid"]
        files = {"file": (f"{uuid}.xml", issued_xml(uuid), "application/xml")}
        first = client.post("/v2/invoices/sat/import", headers=a.headers, files=files).json()["data"]
        second = client.post("/v2/invoices/sat/import", headers=a.headers, files=files).json()["data"]
        assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)

    @pytest.mark.parametrize(("files", "status"), [
        ({}, 400), ({"file": ("a.zip", b"PK\x03\x04garbage", "application/zip")}, 400)])
    def test_a_missing_or_broken_upload_is_400(self, client: TestClient, pair: tuple[Ready, Ready],
                                               files: dict[str, tuple[str, bytes, str]], status: int) -> None:
        a, _b = pair
        res = client.post("/v2/invoices/sat/import", headers=a.headers, files=files or {"x": ("", b"", "text/plain")},
                          data={} if files else {"note": "nothing"})
        assert res.status_code in (status, 415), res.text

    def test_a_team_without_rfc_cannot_import(self, client: TestClient) -> None:
        account = create_account()
        res = client.post("/v2/invoices/sat/import", headers=account.headers(),
                          files={"file": ("a.zip", zipped({"a.xml": b"<x/>"}), "application/zip")})
        assert res.status_code == 400 and res.json()["error"]["code"] == "team_tax_id_required"


class TestCountCap:
    def test_beyond_the_exact_limit_postgres_estimates_and_says_so(self, client: TestClient, received: Ready,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 2)
        body = client.get("/v2/invoices/sat", headers=received.headers, params={"limit": 2}).json()
        assert body["has_more"] is True
        if DB_KIND == "postgres":
            assert body["total_results_estimated"] is True and body["total_results"] >= 3
        else:
            assert body["total_results_estimated"] is False and body["total_results"] >= 3
