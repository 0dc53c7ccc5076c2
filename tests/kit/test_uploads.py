"""Operations that take a file: whatever they answer to a body that is not multipart/form-data (or to a file past
their limit) is an answer their OpenAPI document lists, in the error envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_account
from timbre.app import create_app
from timbre.config import get_settings

_SPEC: dict[str, Any] = create_app(get_settings()).openapi()
UPLOADS = sorted((path, method) for path, item in _SPEC["paths"].items() for method, op in item.items()
                 if "multipart/form-data" in op.get("requestBody", {}).get("content", {}))


def _documented(path: str, method: str) -> set[int]:
    return {int(code) for code in _SPEC["paths"][path][method]["responses"]}


def _concrete(path: str, team_id: str) -> str:
    return path.replace("{team_id}", team_id).replace("{", "x").replace("}", "")


def test_every_upload_is_found() -> None:
    assert len(UPLOADS) >= 8, UPLOADS  # support documents x3, CSF, CSD, FIEL, SAT import, ...


@pytest.mark.parametrize(("path", "method"), UPLOADS)
def test_a_json_body_gets_a_documented_answer(client: TestClient, path: str, method: str) -> None:
    acct = create_account()
    res = client.request(method, _concrete(path, acct.team_id), headers=acct.headers(), json={"file": "x"})
    assert 400 <= res.status_code < 500 and res.json()["success"] is False, res.text
    assert res.status_code in _documented(path, method), (res.status_code, res.text)


@pytest.mark.parametrize(("path", "method"), UPLOADS)
def test_a_declared_body_past_any_limit_gets_a_documented_answer(client: TestClient, path: str,
                                                                 method: str) -> None:
    acct = create_account()
    headers = {**acct.headers(), "content-type": "multipart/form-data; boundary=x", "content-length": str(2**31)}
    res = client.request(method, _concrete(path, acct.team_id), headers=headers, content=b"--x--\r\n")
    assert 400 <= res.status_code < 500 and res.json()["success"] is False, res.text
    assert res.status_code in _documented(path, method), (res.status_code, res.text)
