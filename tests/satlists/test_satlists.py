"""SAT's lists: import in SAT's formats (idempotent), GET /sat-lists, GET /sat-lists/check, the CLI, and the
EFOS table a 69-B file refreshes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.invoices.conftest import Ready
from tests.satlists.files import rfc, sixty_nine, sixty_nine_b
from timbre.cli import main
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Client
from timbre.satlists.parse import SatListParseError, parse
from timbre.satlists.service import sat_lists
from timbre.satlists.tasks import recheck_clients

DEFINITIVO = "CFN120315AB4"


def _import(raw: bytes) -> dict[str, object]:
    with session_scope(get_settings().db_url) as session:
        return sat_lists.import_file(session, raw)


class TestParse:
    def test_69b_rows_go_to_the_list_of_their_situation(self) -> None:
        parsed = parse(sixty_nine_b([(DEFINITIVO, "Definitivo"), ("SIM0806241K3", "Presunto")]))
        assert parsed.article == "69-B"
        assert [(e.list_key, e.rfc, e.published) for e in parsed.entries] == [
            ("69b_definitivo", DEFINITIVO, "08/08/2025"), ("69b_presunto", "SIM0806241K3", "10/03/2025")]
        assert parsed.lists == {"69b_presunto", "69b_definitivo", "69b_desvirtuado", "69b_sentencia_favorable"}

    def test_69b_bis_is_told_by_its_title(self) -> None:
        parsed = parse(sixty_nine_b([(DEFINITIVO, "Definitivo")], bis=True))
        assert parsed.article == "69-B Bis" and parsed.entries[0].list_key == "69b_bis_definitivo"

    def test_69_lists_by_supuesto_with_amounts(self) -> None:
        parsed = parse(sixty_nine("FIRMES", [rfc(1), rfc(2)], amounts=True))
        assert parsed.article == "69" and parsed.lists == {"69_firmes"}
        assert parsed.entries[0].details == {"amount": "1000.50"} and parsed.entries[0].person_type == "M"

    @pytest.mark.parametrize("raw", [b"", b"%PDF-1.4", b"a,b,c\r\n1,2,3"])
    def test_other_files_are_refused(self, raw: bytes) -> None:
        with pytest.raises(SatListParseError):
            parse(raw)

    def test_unknown_69b_situation_is_refused(self) -> None:
        with pytest.raises(SatListParseError):
            parse(sixty_nine_b([(DEFINITIVO, "Definitivo")]).replace(b",Definitivo,", b",Otro,"))


class TestImportAndCheck:
    def test_import_is_idempotent_and_replaces_the_lists(self, client: TestClient) -> None:
        first = _import(sixty_nine_b([(DEFINITIVO, "Definitivo"), ("SIM0806241K3", "Presunto")]))
        assert first["lists"] == {"69b_definitivo": 1, "69b_presunto": 1, "69b_desvirtuado": 0,
                                  "69b_sentencia_favorable": 0}
        again = _import(sixty_nine_b([(DEFINITIVO, "Definitivo"), ("SIM0806241K3", "Presunto")]))
        assert again["unchanged"] is True
        _import(sixty_nine_b([(DEFINITIVO, "Definitivo")]))  # SIM… left the list
        _import(sixty_nine("NO LOCALIZADOS", [DEFINITIVO]))
        headers = create_account().headers()
        listed = client.get("/v2/sat-lists", headers=headers).json()
        counts = {row["list"]: row["count"] for row in listed["data"]}
        assert counts["69b_definitivo"] == 1 and counts["69b_presunto"] == 0 and counts["69_no_localizados"] == 1
        check = client.get("/v2/sat-lists/check", headers=headers, params={"rfc": DEFINITIVO.lower()}).json()["data"]
        assert check["listed"] is True
        assert [(x["list"], x["situation"]) for x in check["lists"]] == [
            ("69_no_localizados", "NO LOCALIZADOS"), ("69b_definitivo", "Definitivo")]
        gone = client.get("/v2/sat-lists/check", headers=headers, params={"rfc": "SIM0806241K3"}).json()["data"]
        assert gone == {"rfc": "SIM0806241K3", "listed": False, "lists": []}

    def test_69b_import_refreshes_the_clients_efos(self, client: TestClient) -> None:
        account = create_account()
        res = client.post("/v2/clients", headers=account.headers(),
                          json={"legal_name": "COMERCIALIZADORA FICTICIA DEL NORTE", "tax_id": DEFINITIVO})
        assert res.status_code == 201, res.text
        _import(sixty_nine_b([(DEFINITIVO, "Definitivo")]))
        got = client.get(f"/v2/clients/{res.json()['data']['id']}", headers=account.headers()).json()["data"]
        assert got["efos"] == {"is_valid": False, "status": "Definitivo"}

    def test_bad_rfc_is_a_422(self, client: TestClient) -> None:
        res = client.get("/v2/sat-lists/check", headers=create_account().headers(), params={"rfc": "nope"})
        assert res.status_code == 422


class TestCli:
    def test_imports_files_and_refuses_other_files(self, client: TestClient, tmp_path: Path) -> None:
        good, bad = tmp_path / "Listado_Completo_69-B.csv", tmp_path / "other.csv"
        good.write_bytes(sixty_nine_b(50))
        bad.write_bytes(b"hello")
        result = CliRunner().invoke(main, ["sat-lists", "import", str(good)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)[str(good)]["rows"] == 50
        result = CliRunner().invoke(main, ["sat-lists", "import", str(bad)])
        assert result.exit_code == 2 and "not one of SAT's lists" in result.output


class TestRecheck:
    def test_a_client_newly_on_the_definitive_list_is_flagged_once_and_cleared_when_it_leaves(
            self, client: TestClient) -> None:
        account = create_account()
        res = client.post("/v2/clients", headers=account.headers(),
                          json={"legal_name": "COMERCIALIZADORA FICTICIA DEL NORTE", "tax_id": DEFINITIVO})
        client_id = res.json()["data"]["id"]
        _import(sixty_nine_b([(DEFINITIVO, "Definitivo")]))
        with session_scope(get_settings().db_url) as session:
            assert recheck_clients(session)["flagged"] == [client_id]
        with session_scope(get_settings().db_url) as session:
            assert recheck_clients(session) == {"flagged": [], "cleared": 0}
            flagged = session.get(Client, client_id)
            assert flagged is not None and flagged.sat_status == "Definitivo" and flagged.sat_flagged_at
        _import(sixty_nine_b([("SIM0806241K3", "Presunto")]))
        with session_scope(get_settings().db_url) as session:
            assert recheck_clients(session) == {"flagged": [], "cleared": 1}
        events = client.get("/v2/events", headers=account.headers(),
                            params={"object_id": client_id, "type": "customer.updated"}).json()["data"]
        assert len(events) == 2  # flagged, then cleared: each a customer.updated
        assert {e["data"]["id"] for e in events} == {client_id}


class TestInvoiceWarnings:
    def test_invoicing_a_listed_client_warns_without_refusing(self, ready: Ready) -> None:
        _import(sixty_nine("NO LOCALIZADOS", ["XIQB891116QE4"]))
        res = ready.create()
        assert res.status_code == 201, res.text
        (warning,) = res.json()["data"]["warnings"]
        assert "XIQB891116QE4" in warning and "69_no_localizados" in warning

    def test_an_unlisted_client_has_no_warnings(self, ready: Ready) -> None:
        res = ready.create()
        assert res.status_code == 201 and res.json()["data"]["warnings"] == []
