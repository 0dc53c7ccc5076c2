"""POST /clients/csf: clients from a Constancia de Situación Fiscal generated in SAT's layout."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.clients.csf_factory import Constancia, constancia_pdf, other_pdf
from tests.factories import Account, create_account
from timbre.clients.csf import regimen_code

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RIF = ("Régimen de Incorporación Fiscal", "01/07/2015", "31/12/2021")
PFAE = ("Régimen de las Personas Físicas con Actividades Empresariales y Profesionales", "01/01/2022", "")
RESICO = ("Régimen Simplificado de Confianza", "01/01/2022", "")
GENERAL = ("Régimen General de Ley Personas Morales", "15/03/2010", "")


def _fisica(**changes: Any) -> Constancia:
    fields: dict[str, Any] = {"rfc": "PELJ850101ABA", "nombre": "JUAN CARLOS", "primer_apellido": "PÉREZ",
                              "segundo_apellido": "LÓPEZ", "regimenes": [RIF, PFAE, RESICO], "cp": "06600"}
    return Constancia(**(fields | changes))


def _moral(**changes: Any) -> Constancia:
    fields: dict[str, Any] = {"rfc": "ECO100315AB9", "id_cif": "19040398765", "razon_social": "ESCUELA COMERCIAL",
                              "regimenes": [GENERAL], "cp": "64000"}
    return Constancia(**(fields | changes))


def _upload(client: TestClient, acct: Account, content: bytes, *, filename: str = "csf.pdf",
            content_type: str = "application/pdf", client_id: str | None = None) -> Any:
    params = {"client_id": client_id} if client_id else {}
    return client.post("/v2/clients/csf", headers=acct.headers(), params=params,
                       files={"file": (filename, content, content_type)})


def _assert_not_a_csf(res: Any) -> None:
    assert res.status_code == 400, res.text
    assert res.json()["message"] == "Not a Constancia de Situación Fiscal"


class TestCreateFromCsf:
    def test_persona_fisica(self, client: TestClient) -> None:
        acct = create_account()
        res = _upload(client, acct, constancia_pdf(_fisica()))
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert data["id"].startswith("client_") and data["tax_id"] == "PELJ850101ABA"
        assert data["legal_name"] == data["name"] == "JUAN CARLOS PÉREZ LÓPEZ"
        assert data["tax_system"] == "612"  # the first régimen in force; RIF ended in 2021
        assert data["address"] == {"zip": "06600", "street": "CALLE RIO LERMA", "exterior": "232",
                                   "interior": "PISO 4", "neighborhood": "CUAUHTEMOC", "city": "CUAUHTEMOC",
                                   "municipality": "CUAUHTEMOC", "state": "CIUDAD DE MEXICO", "country": "MEX"}
        csf = data["csf"]
        assert (csf["persona"], csf["id_cif"], csf["zip"], csf["status"]) == ("fisica", "23050612345", "06600",
                                                                               "ACTIVO")
        assert [r["code"] for r in csf["tax_systems"]] == ["612", "626"] and csf["qr_verified"] is True
        stored = client.get(f"/v2/clients/{data['id']}", headers=acct.headers()).json()["data"]
        assert stored["tax_system"] == "612" and stored["legal_name"] == "JUAN CARLOS PÉREZ LÓPEZ"

    def test_persona_moral(self, client: TestClient) -> None:
        acct = create_account()
        res = _upload(client, acct, constancia_pdf(_moral()))
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert (data["tax_id"], data["legal_name"], data["tax_system"]) == ("ECO100315AB9", "ESCUELA COMERCIAL", "601")
        assert data["address"]["zip"] == "64000"
        assert (data["csf"]["persona"], data["csf"]["id_cif"]) == ("moral", "19040398765")

    def test_without_a_readable_qr_the_text_is_enough(self, client: TestClient) -> None:
        res = _upload(client, create_account(), constancia_pdf(_moral(with_qr=False)))
        assert res.status_code == 201, res.text
        assert res.json()["data"]["csf"]["qr_verified"] is False


class TestUpdateFromCsf:
    def test_same_rfc_updates_the_client(self, client: TestClient) -> None:
        acct = create_account()
        made = client.post("/v2/clients", json={"tax_id": "ECO100315AB9", "email": "pagos@eco.mx"},
                           headers=acct.headers()).json()["data"]
        res = _upload(client, acct, constancia_pdf(_moral()))
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["id"] == made["id"] and data["email"] == "pagos@eco.mx" and data["tax_system"] == "601"
        listed = client.get("/v2/clients", headers=acct.headers()).json()["data"]
        assert [c["id"] for c in listed] == [made["id"]]

    def test_client_id_updates_that_client(self, client: TestClient) -> None:
        acct = create_account()
        made = client.post("/v2/clients", json={"name": "Juan"}, headers=acct.headers()).json()["data"]
        res = _upload(client, acct, constancia_pdf(_fisica()), client_id=made["id"])
        assert res.status_code == 200, res.text
        assert (res.json()["data"]["id"], res.json()["data"]["tax_id"]) == (made["id"], "PELJ850101ABA")

    def test_client_id_of_another_rfc_is_refused(self, client: TestClient) -> None:
        acct = create_account()
        made = client.post("/v2/clients", json={"tax_id": "ECO100315AB9"}, headers=acct.headers()).json()["data"]
        res = _upload(client, acct, constancia_pdf(_fisica()), client_id=made["id"])
        assert res.status_code == 400, res.text
        after = client.get(f"/v2/clients/{made['id']}", headers=acct.headers()).json()["data"]
        assert after["tax_id"] == "ECO100315AB9" and after["legal_name"] is None


class TestNotACsf:
    def test_random_pdf(self, client: TestClient) -> None:
        res = _upload(client, create_account(), other_pdf())
        _assert_not_a_csf(res)

    def test_png_image(self, client: TestClient) -> None:
        _assert_not_a_csf(_upload(client, create_account(), PNG, filename="csf.png", content_type="image/png"))

    def test_empty_file(self, client: TestClient) -> None:
        _assert_not_a_csf(_upload(client, create_account(), b""))

    def test_broken_pdf(self, client: TestClient) -> None:
        _assert_not_a_csf(_upload(client, create_account(), b"%PDF-1.7\n garbage"))

    def test_qr_of_another_rfc(self, client: TestClient) -> None:
        acct = create_account()
        _assert_not_a_csf(_upload(client, acct, constancia_pdf(_fisica(qr_rfc="XOJI740919U48"))))
        assert client.get("/v2/clients", headers=acct.headers()).json()["data"] == []


class TestInvalidReceiver:
    def test_no_known_regimen(self, client: TestClient) -> None:
        res = _upload(client, create_account(), constancia_pdf(_fisica(regimenes=[RIF])))
        assert res.status_code == 400, res.text
        assert res.json()["error"]["details"][0]["field"] == "tax_system"

    def test_unknown_zip(self, client: TestClient) -> None:
        res = _upload(client, create_account(), constancia_pdf(_moral(cp="00001")))
        assert res.status_code == 400, res.text
        assert "zip" in res.json()["error"]["details"][0]["field"]


class TestServerWithoutTools:
    def test_missing_poppler_is_a_503(self, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
        acct = create_account()
        monkeypatch.setenv("PATH", "/nonexistent")
        res = _upload(client, acct, constancia_pdf(_fisica()))
        assert res.status_code == 503, res.text
        assert "poppler-utils" in res.json()["error"]["message"]


class TestRegimenNames:
    @pytest.mark.parametrize(("name", "code"), [
        ("Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios", "605"),
        ("Régimen de Arrendamiento", "606"),
        ("Régimen de Ingresos por Dividendos (socios y accionistas)", "611"),
        ("Régimen de las Personas Físicas con Actividades Empresariales y Profesionales", "612"),
        ("Sin obligaciones fiscales", "616"),
        ("Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas", "625"),
        ("RÉGIMEN  SIMPLIFICADO DE CONFIANZA", "626"),
        ("Régimen de los Coordinados", "624"),
        ("Régimen de Pequeños Contribuyentes", None),
    ])
    def test_sat_names_map_to_codes(self, name: str, code: str | None) -> None:
        assert regimen_code(name) == code
