"""SAT's Descarga Masiva (live mode) against recorded SOAP answers (httpx MockTransport); the signatures our
client makes are checked by xmlsec1, an independent verifier."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree  # type: ignore[import-untyped]

from timbre.cfdi import testca, xmlsafe
from timbre.cfdi.certs import Credential
from timbre.satws.base import Code, Direction, DownloadKind, DownloadQuery, RequestState, SatUnavailable
from timbre.satws.live_download import AUTH, DOWNLOAD, REQUEST_ACTION, VERIFY, LiveDownload
from timbre.satws.signing import WSSE, WSU

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "satws"
RFC = "EKU9003173C9"
PACKAGE = "4E80345D-917F-40BB-A98F-4A73939343C5_01"
REQUEST_ID = "4e80345d-917f-40bb-a98f-4a73939343c5"
EMITIDOS, RECIBIDOS = f"{REQUEST_ACTION}Emitidos", f"{REQUEST_ACTION}Recibidos"


class FakeSat:
    """SAT's endpoints answering recorded envelopes by SOAPAction; keeps what it was sent."""

    def __init__(self, **answers: str | tuple[int, str] | Exception) -> None:
        self.answers: dict[str, str | tuple[int, str] | Exception] = {AUTH[1]: "autentica_ok.xml"}
        self.answers.update({action: answer for name, answer in answers.items()
                             for action in (_ACTIONS[name],)})
        self.sent: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        answer = self.answers[request.headers["SOAPAction"]]
        if isinstance(answer, Exception):
            raise answer
        status, name = answer if isinstance(answer, tuple) else (200, answer)
        return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"Content-Type": "text/xml"})

    def client(self) -> LiveDownload:
        return LiveDownload(transport=httpx.MockTransport(self.handler))

    def bodies(self, action: str) -> list[bytes]:
        return [r.content for r in self.sent if r.headers["SOAPAction"] == action]


_ACTIONS = {"auth": AUTH[1], "emitidos": EMITIDOS, "recibidos": RECIBIDOS, "verify": VERIFY[1], "download": DOWNLOAD[1]}


@pytest.fixture(scope="module")
def fiel() -> Credential:
    made = testca.make_test_fiel(RFC, "ESCUELA KEMPER URGATE")
    return Credential.load(made.cer, made.key, made.password)


def _query(direction: Direction = Direction.ISSUED, kind: DownloadKind = DownloadKind.CFDI) -> DownloadQuery:
    return DownloadQuery(RFC, direction, kind, datetime(2025, 5, 1), datetime(2025, 5, 31, 23, 59, 59))


def _xmlsec(tmp_path: Path, xml: bytes, *args: str) -> int:
    (tmp_path / "signed.xml").write_bytes(xml)
    run = subprocess.run(["xmlsec1", "--verify", *args, str(tmp_path / "signed.xml")], capture_output=True,
                         timeout=60)
    return run.returncode


def _operation(body: bytes) -> bytes:
    """The signed operation element alone (exclusive C14N does not depend on the envelope around it)."""
    operation = xmlsafe.parse(body).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
    return etree.tostring(operation)  # type: ignore[no-any-return]


def _trusted_ca(tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    path.write_bytes(testca.authority().x509.public_bytes(serialization.Encoding.PEM))
    return str(path)


class TestAuthentication:
    def test_one_token_per_client_sent_as_wrap(self, fiel: Credential) -> None:
        sat = FakeSat(emitidos="solicita_emitidos_5000.xml", verify="verifica_en_proceso.xml")
        client = sat.client()
        client.request(fiel, _query())
        client.verify(fiel, RFC, REQUEST_ID)
        assert len(sat.bodies(AUTH[1])) == 1
        authorizations = [r.headers.get("Authorization") for r in sat.sent]
        assert authorizations[0] is None
        assert all(a is not None and a.startswith('WRAP access_token="eyJ') for a in authorizations[1:])

    def test_the_timestamp_signature_verifies(self, fiel: Credential, tmp_path: Path) -> None:
        sat = FakeSat(emitidos="solicita_emitidos_5000.xml")
        sat.client().request(fiel, _query())
        (body,) = sat.bodies(AUTH[1])
        cert = tmp_path / "fiel.pem"
        cert.write_bytes(fiel.x509.public_bytes(serialization.Encoding.PEM))
        args = ("--id-attr:Id", f"{WSU}:Timestamp", "--pubkey-cert-pem", str(cert))
        assert _xmlsec(tmp_path, body, *args) == 0
        assert _xmlsec(tmp_path, body.replace(b".000Z</u:Expires>", b".001Z</u:Expires>"), *args) != 0
        token = xmlsafe.parse(body).find(f".//{{{WSSE}}}BinarySecurityToken")
        assert token is not None and token.text == fiel.base64

    def test_a_refused_fiel_is_code_300(self, fiel: Credential) -> None:
        sat = FakeSat(auth=(500, "autentica_invalid_security.xml"))
        client = sat.client()
        assert client.request(fiel, _query()).code == Code.NOT_AUTHENTICATED
        assert client.verify(fiel, RFC, REQUEST_ID).code == Code.NOT_AUTHENTICATED
        refused = client.download(fiel, RFC, PACKAGE)
        assert (refused.code, refused.package) == (Code.NOT_AUTHENTICATED, None)
        assert "verifying security" in refused.message


class TestRequest:
    def test_issued_cfdi(self, fiel: Credential, tmp_path: Path) -> None:
        sat = FakeSat(emitidos="solicita_emitidos_5000.xml")
        answer = sat.client().request(fiel, _query())
        assert (answer.code, answer.request_id) == (Code.ACCEPTED, REQUEST_ID)
        (body,) = sat.bodies(EMITIDOS)
        solicitud = xmlsafe.parse(body).find(".//{http://DescargaMasivaTerceros.sat.gob.mx}solicitud")
        assert dict(solicitud.attrib) == {"FechaInicial": "2025-05-01T00:00:00", "FechaFinal": "2025-05-31T23:59:59",
                                          "RfcEmisor": RFC, "TipoSolicitud": "CFDI"}
        signed = _operation(body)
        assert _xmlsec(tmp_path, signed, "--trusted-pem", _trusted_ca(tmp_path)) == 0
        assert _xmlsec(tmp_path, signed.replace(b"2025-05-31T23:59:59", b"2025-06-30T23:59:59"),
                       "--trusted-pem", _trusted_ca(tmp_path)) != 0

    def test_received_cfdi_are_the_vigente_ones(self, fiel: Credential) -> None:
        sat = FakeSat(recibidos="solicita_recibidos_5000.xml")
        assert sat.client().request(fiel, _query(Direction.RECEIVED)).request_id == REQUEST_ID
        (body,) = sat.bodies(RECIBIDOS)
        solicitud = xmlsafe.parse(body).find(".//{http://DescargaMasivaTerceros.sat.gob.mx}solicitud")
        assert (solicitud.get("RfcReceptor"), solicitud.get("EstadoComprobante"), solicitud.get("RfcEmisor")) == \
            (RFC, "Vigente", None)

    def test_received_metadata_covers_every_state(self, fiel: Credential) -> None:
        sat = FakeSat(recibidos="solicita_recibidos_5000.xml")
        sat.client().request(fiel, _query(Direction.RECEIVED, DownloadKind.METADATA))
        (body,) = sat.bodies(RECIBIDOS)
        solicitud = xmlsafe.parse(body).find(".//{http://DescargaMasivaTerceros.sat.gob.mx}solicitud")
        assert (solicitud.get("TipoSolicitud"), solicitud.get("EstadoComprobante")) == ("Metadata", None)

    @pytest.mark.parametrize("code", ["5002", "5005", "301", "300"])
    def test_sats_refusals_are_answers(self, fiel: Credential, code: str) -> None:
        answer = FakeSat(emitidos=f"solicita_emitidos_{code}.xml").client().request(fiel, _query())
        assert (answer.code, answer.request_id) == (code, None) and answer.message


class TestVerify:
    def test_finished_with_packages(self, fiel: Credential, tmp_path: Path) -> None:
        sat = FakeSat(verify="verifica_terminada.xml")
        answer = sat.client().verify(fiel, RFC, REQUEST_ID)
        assert (answer.state, answer.request_code, answer.cfdi_count) == (RequestState.FINISHED, Code.ACCEPTED, 12)
        assert answer.package_ids == (PACKAGE, PACKAGE[:-1] + "2")
        (body,) = sat.bodies(VERIFY[1])
        solicitud = xmlsafe.parse(body).find(".//{http://DescargaMasivaTerceros.sat.gob.mx}solicitud")
        assert (solicitud.get("IdSolicitud"), solicitud.get("RfcSolicitante")) == (REQUEST_ID, RFC)
        assert _xmlsec(tmp_path, _operation(body), "--trusted-pem", _trusted_ca(tmp_path)) == 0

    @pytest.mark.parametrize(("fixture", "state", "request_code"), [
        ("verifica_en_proceso.xml", RequestState.IN_PROGRESS, "5000"),
        ("verifica_5004.xml", RequestState.FINISHED, "5004"),
        ("verifica_5003.xml", RequestState.REJECTED, "5003"),
    ])
    def test_states(self, fiel: Credential, fixture: str, state: RequestState, request_code: str) -> None:
        answer = FakeSat(verify=fixture).client().verify(fiel, RFC, REQUEST_ID)
        assert (answer.code, answer.state, answer.request_code, answer.package_ids) == \
            (Code.ACCEPTED, state, request_code, ())

    def test_an_uncontrolled_error(self, fiel: Credential) -> None:
        answer = FakeSat(verify="verifica_404.xml").client().verify(fiel, RFC, REQUEST_ID)
        assert (answer.code, answer.request_code) == (Code.UNKNOWN_REQUEST, Code.UNKNOWN_REQUEST)


class TestDownload:
    def test_a_package(self, fiel: Credential, tmp_path: Path) -> None:
        sat = FakeSat(download="descarga_ok.xml")
        answer = sat.client().download(fiel, RFC, PACKAGE)
        assert answer.code == Code.ACCEPTED and answer.package is not None
        with zipfile.ZipFile(io.BytesIO(answer.package)) as archive:
            (name,) = archive.namelist()
            assert name == f"{PACKAGE}.txt" and archive.read(name).startswith(b"Uuid~RfcEmisor~")
        (body,) = sat.bodies(DOWNLOAD[1])
        peticion = xmlsafe.parse(body).find(".//{http://DescargaMasivaTerceros.sat.gob.mx}peticionDescarga")
        assert (peticion.get("IdPaquete"), peticion.get("RfcSolicitante")) == (PACKAGE, RFC)
        assert _xmlsec(tmp_path, _operation(body), "--trusted-pem", _trusted_ca(tmp_path)) == 0

    @pytest.mark.parametrize("code", ["5008", "5004"])
    def test_refusals(self, fiel: Credential, code: str) -> None:
        answer = FakeSat(download=f"descarga_{code}.xml").client().download(fiel, RFC, PACKAGE)
        assert (answer.code, answer.package) == (code, None) and answer.message


class TestUnavailable:
    @pytest.mark.parametrize("answer", [(500, "consulta_vigente.xml"), (503, "autentica_ok.xml"),
                                        httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
    def test_transport_failures(self, fiel: Credential, answer: tuple[int, str] | Exception) -> None:
        with pytest.raises(SatUnavailable):
            FakeSat(emitidos=answer).client().request(fiel, _query())

    def test_an_answer_sat_would_not_give(self, fiel: Credential) -> None:
        with pytest.raises(SatUnavailable):  # a well-formed envelope without the operation's result
            FakeSat(verify="solicita_emitidos_5000.xml").client().verify(fiel, RFC, REQUEST_ID)
        with pytest.raises(SatUnavailable):
            FakeSat(auth="consulta_vigente.xml").client().request(fiel, _query())
