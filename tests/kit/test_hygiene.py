"""Request hygiene: the body cap (413 before parsing), bodies nested too deep, `Allow` on 405, unexpected
errors answered without escaping to the server, and one keep-alive connection surviving every bad request
of a real `timbre serve`."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.procs import env_for, free_port, run, start, stop, wait_up
from timbre.app import create_app
from timbre.config import Settings, get_settings

MIB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DEEP_LIST = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def _json(headers: dict[str, str], **extra: str) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json", **extra}


class TestBodyLimit:
    def test_a_json_body_over_the_cap_is_a_413_before_parsing(self, client: TestClient) -> None:
        acct = create_account()
        body = json.dumps({"legal_name": "X", "pad": "x" * MIB}).encode()
        res = client.post("/v2/clients", content=body, headers=_json(acct.headers(), **{"Idempotency-Key": "big"}))
        assert res.status_code == 413
        assert res.json()["error"]["code"] == "payload_too_large" and str(MIB) in res.json()["error"]["message"]

    def test_a_streamed_body_without_length_is_cut_at_the_cap(self, client: TestClient) -> None:
        acct = create_account()

        def chunks() -> Iterator[bytes]:
            yield b'{"legal_name": "'
            for _ in range(20):
                yield b"x" * 65536
            yield b'"}'

        for path, extra in (("/v2/clients", {}), ("/v2/teams", {"Idempotency-Key": "streamed"})):
            res = client.post(path, content=chunks(), headers=_json(acct.headers(), **extra))
            assert res.status_code == 413, res.text
            assert res.json()["error"]["code"] == "payload_too_large"

    def test_the_cap_is_a_setting(self) -> None:
        settings = Settings(max_body_bytes=4096, database_url=get_settings().db_url,
                            secret_key=get_settings().secret())
        acct = create_account()
        with TestClient(create_app(settings), raise_server_exceptions=False) as small:
            res = small.post("/v2/clients", json={"legal_name": "x" * 5000}, headers=acct.headers())
            assert res.status_code == 413
            res = small.post("/v2/clients", json={"legal_name": "Cliente chico"}, headers=acct.headers())
            assert res.status_code == 201, res.text

    def test_multipart_uploads_keep_their_own_limit(self, client: TestClient) -> None:
        acct = create_account()
        cid = client.post("/v2/clients", json={"name": "Docs"}, headers=acct.headers()).json()["data"]["id"]
        pdf = PDF + b"%" * (2 * MIB)
        res = client.post(f"/v2/clients/{cid}/support-documents", headers=acct.headers(),
                          data={"documentType": "contract"}, files={"file": ("c.pdf", pdf, "application/pdf")})
        assert res.status_code == 201, res.text


class TestDeepNesting:
    @pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
    def test_a_body_nested_100000_deep_is_a_400(self, client: TestClient, body: bytes) -> None:
        acct = create_account()
        for extra in ({}, {"Idempotency-Key": "deep"}):
            res = client.post("/v2/clients", content=body, headers=_json(acct.headers(), **extra))
            assert res.status_code == 400, res.text
            assert res.json()["success"] is False

    def test_an_idempotency_key_in_a_deep_body(self, client: TestClient) -> None:
        acct = create_account()
        body = b'{"idempotency_key": "k", "x": ' + DEEP_LIST + b"}"
        res = client.post("/v2/clients", content=body, headers=_json(acct.headers()))
        assert res.status_code == 400, res.text


class TestMethodNotAllowed:
    @pytest.mark.parametrize(("method", "path", "allow"), [
        ("PATCH", "/v2/teams", "GET, POST"),
        ("PUT", "/v2/clients", "GET, POST"),
        ("POST", "/v2/health", "GET"),
    ])
    def test_allow_names_every_method_of_the_path(self, client: TestClient, method: str, path: str,
                                                  allow: str) -> None:
        res = client.request(method, path, headers=create_account().headers())
        assert res.status_code == 405
        assert res.headers["allow"] == allow
        assert res.json()["error"]["code"] == "method_not_allowed"

    def test_a_path_only_a_parameter_route_matches_names_nothing(self, client: TestClient) -> None:
        # /clients/{id} exists for GET, PUT and DELETE, but no route is literally /clients/client_x: a 404, as
        # POST /clients/customerportal would be without its route (tests/test_errors.py)
        res = client.request("PATCH", "/v2/clients/client_x", headers=create_account().headers())
        assert res.status_code == 404


class TestUnexpectedErrors:
    def test_an_exception_is_answered_and_never_reaches_the_server(self) -> None:
        app = create_app(get_settings())

        @app.post("/boom")
        def boom() -> None:
            raise RuntimeError("a bug")

        # raise_server_exceptions: the test client re-raises whatever escapes the application, as uvicorn
        # would then close the connection.
        with TestClient(app, raise_server_exceptions=True) as strict:
            res = strict.post("/boom", headers={"Idempotency-Key": "k"})
        assert res.status_code == 500 and res.json()["error"]["code"] == "internal_error"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, str]]:
    port = free_port()
    env = env_for(tmp_path / "data", TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    proc = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        wait_up(proc, f"http://127.0.0.1:{port}/health")
        key = json.loads(run(["bootstrap", "--json"], env).stdout)["api_keys"]["test"]
        yield port, key
    finally:
        stop(proc)


class TestKeepAlive:
    def test_one_connection_survives_every_bad_request(self, served: tuple[int, str]) -> None:
        port, key = served
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.auto_open = 0  # a closed connection raises instead of silently reconnecting
        auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        bad = [
            ("POST", "/v2/clients", DEEP_LIST, {**auth, "Idempotency-Key": "deep"}, 400),
            ("POST", "/v2/clients", DEEP_OBJECT, auth, 400),
            ("POST", "/v2/clients", b'{"legal_name": "' + b"x" * (2 * MIB) + b'"}', auth, 413),
            ("POST", "/v2/clients", b'{"legal_name": "A\\u0000B"}', auth, 400),
            ("POST", "/v2/clients", b'{"legal_name": "A\\udc00B"}', auth, 400),
            ("POST", "/v2/payments/register", b'{"client": {"name": "X"}, "items": [{"description": "x", '
                                              b'"unit_price": 1}], "payment_form": "03", "paid_at": 1e20}', auth,
             422),
            ("POST", "/v2/clients", b'{"legal_name": ', auth, 400),
            ("PATCH", "/v2/teams", b"", auth, 405),
        ]
        conn.connect()
        sock = conn.sock
        for method, path, body, headers, status in bad:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            payload = res.read()
            assert res.status == status, (path, payload[:300])
            assert json.loads(payload)["success"] is False
            assert (res.getheader("connection") or "").lower() != "close"
        conn.request("GET", "/v2/teams", headers=auth)
        res = conn.getresponse()
        assert res.status == 200 and json.loads(res.read())["success"] is True
        assert conn.sock is sock  # the very same connection
        conn.close()
