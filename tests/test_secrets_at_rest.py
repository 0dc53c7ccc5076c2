"""A real `timbre serve` process: after a password reset, a login link, a payment link, an onboarding link and
a file download, its log holds none of their secrets; everything it created in the data folder is readable
by its owner only."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.mail import Inbox, smtp_server
from tests.procs import env_for, free_port, run, start, stop, wait_up

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CLIENT = {"legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4", "tax_system": "612", "use": "G03",
          "address": {"zip": "36257", "country": "MEX"}}
ITEM = {"description": "Consultoría", "quantity": 1, "unit_price": 1000, "product_key": "84111506",
        "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}


def _ok(res: httpx.Response) -> dict[str, object]:
    assert res.status_code < 300, res.text
    data: dict[str, object] = res.json()["data"]
    return data


def _last_segment(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def _use_every_link(url: str, keys: dict[str, object], inbox: Inbox) -> list[str]:
    """Drive the server through every kind of secret link; return the secrets it saw."""
    headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}  # type: ignore[index]
    user, team = keys["user_id"], keys["team_id"]
    _ok(httpx.post(f"{url}/v2/users/{user}/reset-password", headers=headers))
    inbox.wait_for(1)
    unwrapped = re.sub(r"=\r?\n", "", inbox.messages[0])  # quoted-printable soft line breaks
    match = re.search(r"(/reset-password/[A-Za-z0-9_-]+)", unwrapped)
    assert match is not None
    reset = match.group(1)
    assert httpx.get(url + reset).status_code == 200
    assert httpx.post(url + reset, data={"password": "correct horse battery"}).status_code == 200
    login = str(_ok(httpx.post(f"{url}/v2/users/{user}/login-link", headers=headers))["url"])
    assert httpx.get(login).status_code == 200 and httpx.post(login).status_code == 200
    onboarding = str(_ok(httpx.get(f"{url}/v2/teams/{team}/onboarding-url", headers=headers)))
    assert httpx.get(onboarding).status_code == 200
    client_id = _ok(httpx.post(f"{url}/v2/clients", headers=headers, json=CLIENT))["id"]
    payment = _ok(httpx.post(f"{url}/v2/payments/request", headers=headers, json={
        "client": {"id": client_id}, "items": [ITEM], "currency": "MXN", "allowed_payment_methods": ["bank"],
        "automation_type": "none"}))
    short_url = str(payment["short_url"])
    assert httpx.get(short_url).status_code == 200
    document = _ok(httpx.post(f"{url}/v2/clients/{client_id}/support-documents", headers=headers,
                              data={"documentType": "contract"}, files={"file": ("c.pdf", PDF, "application/pdf")}))
    file_url = str(document["fileUrl"])
    download = httpx.get(file_url)
    assert download.status_code == 200 and download.content == PDF
    signature = parse_qs(urlsplit(file_url).query)["signature"][0]
    return [_last_segment(reset), _last_segment(login), _last_segment(onboarding), _last_segment(short_url),
            signature]


def test_served_links_leave_no_secret_in_the_log_and_the_data_folder_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with smtp_server() as inbox:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = env_for(data, TIMBRE_SMTP_URL=inbox.url, TIMBRE_PUBLIC_URL=url)
        keys = json.loads(run(["bootstrap", "--json"], env).stdout)
        server = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
        try:
            wait_up(server, f"{url}/health")
            secrets = _use_every_link(url, keys, inbox)
        finally:
            stop(server)
    log = (tmp_path / "serve.log").read_text()
    assert all(len(s) >= 16 for s in secrets)
    assert [s for s in secrets if s in log] == []
    assert 'GET /login/[redacted] HTTP/1.1' in log and "signature=[redacted]" in log  # the access log ran
    assert "/pay/[redacted]" in log and "/reset-password/[redacted]" in log and "/onboarding/[redacted]" in log
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode) for p in [data, *data.rglob("*")]}
    assert {"data/timbre.db", "data/jobs.db", "data/secret.key"} <= set(modes)
    assert any(name.startswith("data/files/") for name in modes)
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)}
    assert loose == {}
