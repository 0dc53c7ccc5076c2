"""SAT's 69-B list: `timbre efos import`, the clients' `efos` field (documents to a
listed client warn: tests/satlists/test_listed_receivers.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests.factories import create_account
from timbre.cli import main
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EfosEntry

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "efos_sample.csv"
DEFINITIVO = "CFN120315AB4"  # listed as Definitivo in the sample
PRESUNTO = "SIM0806241K3"  # listed as Presunto


def _import(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["efos", "import", *args])
    assert result.exit_code == 0, result.output
    out: dict[str, int] = json.loads(result.output)
    return out


class TestImportCommand:
    def test_import_is_idempotent(self) -> None:
        first = _import(str(SAMPLE))
        assert first == {"total": 10, "inserted": 10, "updated": 0, "unchanged": 0, "removed": 0}
        assert _import(str(SAMPLE)) == {"total": 10, "inserted": 0, "updated": 0, "unchanged": 10, "removed": 0}
        with session_scope(get_settings().db_url) as session:
            entry = session.get(EfosEntry, DEFINITIVO)
            assert entry is not None and entry.situation == "Definitivo"
            assert session.get(EfosEntry, "PEÑ1511309Q0") is not None  # cp1252 Ñ decoded

    def test_changes_and_prune(self, tmp_path: Path) -> None:
        _import(str(SAMPLE))
        text = SAMPLE.read_bytes().decode("cp1252")
        lines = text.splitlines()
        changed = [line.replace(",Presunto,", ",Definitivo,") if PRESUNTO in line else line
                   for line in lines if "TEJ1901019Z0" not in line]
        newer = tmp_path / "newer.csv"
        newer.write_text("\n".join(changed) + "\n", encoding="utf-8")
        assert _import(str(newer)) == {"total": 9, "inserted": 0, "updated": 1, "unchanged": 8, "removed": 0}
        assert _import(str(newer), "--prune")["removed"] == 1

    def test_not_a_69b_file(self, tmp_path: Path) -> None:
        other = tmp_path / "other.csv"
        other.write_text("a,b,c\n1,2,3\n")
        result = CliRunner().invoke(main, ["efos", "import", str(other)])
        assert result.exit_code == 2 and "not SAT's 69-B list" in result.output


class TestClientsOnTheList:
    def test_definitivo_makes_efos_invalid(self, client: TestClient) -> None:
        _import(str(SAMPLE))
        acct = create_account()
        listed = client.post("/v2/clients", json={"tax_id": DEFINITIVO}, headers=acct.headers()).json()["data"]
        assert listed["efos"] == {"is_valid": False, "status": "Definitivo"}
        presumed = client.post("/v2/clients", json={"tax_id": PRESUNTO}, headers=acct.headers()).json()["data"]
        assert presumed["efos"] == {"is_valid": True, "status": "Presunto"}
        clean = client.post("/v2/clients", json={"tax_id": "EKU9003173C9"}, headers=acct.headers()).json()["data"]
        assert clean["efos"] == {"is_valid": True, "status": None}
        listing = client.get("/v2/clients", headers=acct.headers()).json()["data"]
        assert {c["tax_id"]: c["efos"]["is_valid"] for c in listing} == {DEFINITIVO: False, PRESUNTO: True,
                                                                          "EKU9003173C9": True}
        report = client.post(f"/v2/clients/validate/{listed['id']}", headers=acct.headers()).json()["data"]
        assert report["efos"] == {"is_valid": False, "status": "Definitivo"}
