"""SAT's ConsultaCFDIService (live mode) against recorded answers served through httpx's MockTransport."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from timbre.cfdi import xmlsafe
from timbre.satws.base import SatUnavailable, StatusQuery
from timbre.satws.live_status import ACTION, URL, LiveStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "satws"
QUERY = StatusQuery(issuer_rfc="EKU9003173C9", receiver_rfc="XIQB891116QE4", total="17400.00",
                    uuid="838be22b-35b9-47fd-948f-47f53f25364d", seal_tail="Q2bX+w==")


def _sat(answer: httpx.Response | Exception, sent: list[httpx.Request] | None = None) -> LiveStatus:
    def handler(request: httpx.Request) -> httpx.Response:
        if sent is not None:
            sent.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return LiveStatus(transport=httpx.MockTransport(handler))


def _recorded(name: str) -> httpx.Response:
    return httpx.Response(200, content=(FIXTURES / name).read_bytes(), headers={"Content-Type": "text/xml"})


class TestStatus:
    def test_vigente_and_the_request_sat_expects(self) -> None:
        sent: list[httpx.Request] = []
        answer = _sat(_recorded("consulta_vigente.xml"), sent).status(QUERY)
        assert (answer.state, answer.cancellable, answer.cancellation_status, answer.efos_validation) == \
            ("Vigente", "Cancelable sin aceptación", "", "200")
        (request,) = sent
        assert str(request.url) == URL and request.headers["SOAPAction"] == f'"{ACTION}"'
        body = xmlsafe.parse(request.content)
        expression = body.findtext(".//{http://tempuri.org/}expresionImpresa")
        assert expression == ("?re=EKU9003173C9&rr=XIQB891116QE4&tt=17400.00"
                              "&id=838be22b-35b9-47fd-948f-47f53f25364d&fe=Q2bX+w==")

    def test_a_cancellation_in_process(self) -> None:
        answer = _sat(_recorded("consulta_en_proceso.xml")).status(QUERY)
        assert (answer.state, answer.cancellable, answer.cancellation_status) == \
            ("Vigente", "Cancelable con aceptación", "En proceso")

    def test_cancelled_after_the_deadline(self) -> None:
        answer = _sat(_recorded("consulta_cancelado.xml")).status(QUERY)
        assert (answer.state, answer.cancellation_status) == ("Cancelado", "Plazo vencido")

    def test_not_found_and_invalid_expression_are_answers(self) -> None:
        missing = _sat(_recorded("consulta_no_encontrado.xml")).status(QUERY)
        assert (missing.state, missing.code) == ("No Encontrado", "N - 602: Comprobante no encontrado.")
        invalid = _sat(_recorded("consulta_invalid.xml")).status(QUERY)
        assert invalid.code.startswith("N - 601") and invalid.cancellable == ""

    @pytest.mark.parametrize("answer", [httpx.Response(500, content=b"<html/>"), httpx.Response(200, content=b"<a"),
                                        httpx.Response(200, content=b"<x/>"), httpx.ConnectError("refused")])
    def test_sat_unavailable(self, answer: httpx.Response | Exception) -> None:
        with pytest.raises(SatUnavailable):
            _sat(answer).status(QUERY)
