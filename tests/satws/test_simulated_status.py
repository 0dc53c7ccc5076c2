"""The simulated Consulta de estado del CFDI: what SAT answers about the CFDI stamped on this server."""

from __future__ import annotations

from typing import Any

from tests.invoices.conftest import Ready
from tests.satws.conftest import RECEPTOR_RFC, stamp
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EfosEntry
from timbre.satws.base import StatusQuery
from timbre.satws.live_download import LiveDownload
from timbre.satws.live_status import LiveStatus
from timbre.satws.services import download_service, status_service
from timbre.satws.simulated_download import SimulatedDownload
from timbre.satws.simulated_status import SimulatedStatus


def _query(invoice: dict[str, Any], **changes: str) -> StatusQuery:
    fields = {"issuer_rfc": "EKU9003173C9", "receiver_rfc": RECEPTOR_RFC, "total": "2320.00",
              "uuid": invoice["uuid"], "seal_tail": invoice["stamp"]["sello"][-8:]}
    return StatusQuery(**(fields | changes))


class TestStatus:
    def test_found_when_every_printed_field_matches(self, issuer: Ready) -> None:
        invoice = stamp(issuer)
        sat = status_service(False)
        answer = sat.status(_query(invoice, total="2320.000000", uuid=invoice["uuid"].lower()))
        assert (answer.state, answer.cancellable, answer.cancellation_status, answer.efos_validation) == \
            ("Vigente", "Cancelable sin aceptación", "", "200")
        for wrong in ({"total": "2320.01"}, {"receiver_rfc": "XAXX010101000"}, {"issuer_rfc": RECEPTOR_RFC},
                      {"seal_tail": "AAAAAAAA"}, {"uuid": "8a3a6c2b-0000-4000-8000-000000000000"}):
            missing = sat.status(_query(invoice, **wrong))
            assert (missing.state, missing.code) == ("No Encontrado", "N - 602: Comprobante no encontrado."), wrong

    def test_an_issuer_on_the_69b_list(self, issuer: Ready) -> None:
        invoice = stamp(issuer)
        with session_scope(get_settings().db_url) as session:
            session.add(EfosEntry(rfc="EKU9003173C9", name="ESCUELA KEMPER URGATE", situation="Definitivo"))
        assert status_service(False).status(_query(invoice)).efos_validation == "100"

    def test_not_cancellable_while_a_valid_cfdi_relates_to_it(self, issuer: Ready) -> None:
        invoice = stamp(issuer)
        credit = issuer.create("egress", related_documents=[{"relationship": "01", "documents": [invoice["uuid"]]}])
        assert credit.status_code == 201, credit.text
        assert status_service(False).status(_query(invoice)).cancellable == "No cancelable"
        substitute = stamp(issuer, related_documents=[{"relationship": "04", "documents": [invoice["uuid"]]}])
        assert substitute["uuid"]
        res = issuer.client.request("DELETE", f"/v2/invoices/{credit.json()['data']['uuid']}",
                                    headers=issuer.headers, json={"motive": "02"})
        assert res.status_code == 200, res.text
        assert status_service(False).status(_query(invoice)).cancellable == "Cancelable sin aceptación"



class TestFactories:
    def test_test_mode_is_simulated_live_mode_is_sats(self) -> None:
        assert isinstance(status_service(False), SimulatedStatus) and isinstance(status_service(True), LiveStatus)
        assert isinstance(download_service(False), SimulatedDownload)
        assert isinstance(download_service(True), LiveDownload)
