"""Documents issued to a client SAT lists as 69-B Definitivo: issued, with `warnings` naming the list and its
publication (issue 11), never gigstack's 400 "Client failed EFOS validation"; the client's `efos` stays true."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.complements.helpers import pay, ppd_invoice
from tests.invoices.conftest import Ready
from tests.retentions.test_retentions_api import body as retention_body
from tests.satlists.files import sixty_nine_b
from timbre.clients.efos_list import import_69b
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.satlists.service import sat_lists

LISTED = "XIQB891116QE4"  # the ready team's client
EFOS_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "efos_sample.csv"


@pytest.fixture
def definitivo(ready: Ready) -> Ready:
    with session_scope(get_settings().db_url) as session:
        sat_lists.import_file(session, sixty_nine_b([(LISTED, "Definitivo"), ("SIM0806241K3", "Presunto")]))
    return ready


def _warned(res: Any) -> str:
    assert res.status_code == 201, res.text
    (warning,) = res.json()["data"]["warnings"]
    assert isinstance(warning, str)
    return warning


def _names_the_list(warning: str) -> None:
    assert LISTED in warning and "69-B: definitivos" in warning and "Definitivo" in warning
    assert "published by SAT on 08/08/2025" in warning and "issued anyway" in warning


class TestDocumentsToADefinitiveClient:
    def test_an_invoice_is_stamped_with_a_warning(self, definitivo: Ready) -> None:
        res = definitivo.create()
        _names_the_list(_warned(res))
        assert res.json()["data"]["status"] == "valid"
        client = definitivo.client.get(f"/v2/clients/{definitivo.client_id}", headers=definitivo.headers)
        assert client.json()["data"]["efos"] == {"is_valid": False, "status": "Definitivo"}

    def test_a_draft_is_stamped_with_a_warning(self, definitivo: Ready) -> None:
        draft = definitivo.client.post("/v2/invoices/draft", headers=definitivo.headers, json={
            "invoice_type": "I", "client": {"id": definitivo.client_id}, "currency": "MXN",
            "items": [definitivo.item()], "use": "G03", "payment_form": "03", "payment_method": "PUE"})
        assert draft.status_code == 201, draft.text
        res = definitivo.client.post(f"/v2/invoices/draft/{draft.json()['data']['id']}/stamp",
                                     headers=definitivo.headers)
        _names_the_list(_warned(res))

    def test_a_payment_complement_is_stamped_with_a_warning(self, definitivo: Ready) -> None:
        invoice = ppd_invoice(definitivo, 1000.0)
        _names_the_list(_warned(pay(definitivo, (invoice["uuid"], 1160.0))))

    def test_a_registered_payment_warns(self, definitivo: Ready) -> None:
        res = definitivo.client.post("/v2/payments/register", headers=definitivo.headers, json={
            "client": {"id": definitivo.client_id}, "currency": "MXN", "payment_form": "03",
            "items": [definitivo.item(quantity=1)], "automation_type": "pue_invoice"})
        _names_the_list(_warned(res))

    def test_a_retention_is_stamped_with_a_warning(self, definitivo: Ready) -> None:
        res = definitivo.client.post("/v2/retentions", headers=definitivo.headers,
                                     json=retention_body(definitivo, "01"))
        _names_the_list(_warned(res))
        assert res.json()["data"]["status"] == "valid"

    def test_a_client_known_only_from_timbre_efos_import_warns_without_a_publication(self, ready: Ready) -> None:
        with session_scope(get_settings().db_url) as session, EFOS_SAMPLE.open("rb") as stream:
            import_69b(session, stream)
        listed = ready.client.post("/v2/clients", headers=ready.headers, json={
            "legal_name": "CONTRIBUYENTE DEFINITIVO", "tax_id": "CFN120315AB4", "tax_system": "601",
            "address": {"zip": "36257", "country": "MEX"}})
        assert listed.status_code == 201, listed.text
        warning = _warned(ready.create(client={"id": listed.json()["data"]["id"]}))
        assert "CFN120315AB4" in warning and "69-B: definitivos" in warning and "published" not in warning
