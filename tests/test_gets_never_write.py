"""No GET writes: every GET route of the app (from its route table), called with real ids of real objects,
leaves every table of the database and the job queue exactly as it found them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from tests.complements.helpers import pay, ppd_invoice
from tests.factories import run_jobs
from tests.invoices.conftest import make_ready
from tests.payments.helpers import request as payment_request
from tests.receipts.helpers import make_receipt
from tests.retentions.test_retentions_api import body as retention_body
from tests.satmirror.helpers import issued_xml
from tests.webhooks.helpers import make_webhook
from timbre.cfdi import testca
from timbre.config import get_settings
from timbre.kit.clock import now_ms
from timbre.kit.crypto import random_token, sha256_hex
from timbre.kit.db import Base, get_engine, session_scope
from timbre.kit.ids import new_id
from timbre.models import SatDownloadPackage, SatDownloadRequest, SatDownloadRun, UserToken
from timbre.worker import huey

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _snapshot() -> dict[str, list[str]]:
    with get_engine(get_settings().db_url).connect() as conn:
        return {t.name: sorted(repr(tuple(row)) for row in conn.execute(select(t)))
                for t in Base.metadata.sorted_tables}


def _get_routes(app: FastAPI) -> list[str]:
    return [context.path for context in routing.iter_route_contexts(app.router.routes)
            if "GET" in (context.methods or ())]


def _data(res: Any) -> Any:
    assert res.status_code in (200, 201), res.text
    return res.json()["data"]


@pytest.fixture
def objects(client: TestClient) -> dict[str, Any]:
    """One real object of every kind a GET route names, and the links our pages are reached by."""
    ready = make_ready(client, testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE"))
    headers, team = ready.headers, ready.account.team_id
    income = _data(ready.create())
    egress = _data(ready.create("egress", use="G02", items=[ready.item(quantity=1)],
                                related_documents=[{"relationship": "01", "documents": [income["uuid"]]}]))
    ppd = ppd_invoice(ready)
    complement = _data(pay(ready, (ppd["uuid"], 1000.0)))
    draft = _data(client.post("/v2/invoices/draft", headers=headers, json={"invoice_type": "I"}))
    payment = _data(payment_request(ready))
    service = _data(client.post("/v2/services", headers=headers, json={
        "description": "Consultoría", "product_key": "84111506", "unit_key": "E48", "unit_price": 100}))
    document = _data(client.post(f"/v2/clients/{ready.client_id}/support-documents", headers=headers,
                                 data={"documentType": "contract"},
                                 files={"file": ("contrato.pdf", PDF, "application/pdf")}))
    for entity in ("payments", "clients"):  # support documents of a payment too
        owner = payment["id"] if entity == "payments" else ready.client_id
        assert client.get(f"/v2/{entity}/{owner}/support-documents", headers=headers).status_code == 200
    login = _data(client.post(f"/v2/users/{ready.account.user_id}/login-link", headers=headers))["url"]
    reset = random_token(32)
    with session_scope(get_settings().db_url) as session:
        session.add(UserToken(id=new_id("utok"), user_id=ready.account.user_id, purpose="reset",
                              token_hash=sha256_hex(reset), expires_at=now_ms() + 3_600_000))
    onboarding = _data(client.get(f"/v2/teams/{team}/onboarding-url", headers=headers))
    receipt = make_receipt(ready, client={"id": ready.client_id})
    retention = _data(client.post("/v2/retentions", headers=headers, json=retention_body(ready, "01")))
    portal = urlsplit(_data(client.post("/v2/clients/customerportal", headers=headers,
                                        json={"id": ready.client_id}))["url"])
    mirrored = client.post("/v2/invoices/sat/import", headers=headers, files={"file": (
        "cfdi.xml", issued_xml(income["uuid"]), "application/xml")})
    assert mirrored.status_code == 200 and mirrored.json()["data"]["created"] == 1, mirrored.text
    download = {"team_id": team, "livemode": False, "window_start": "2026-01-01T00:00:00",
                "window_end": "2026-01-31T23:59:59"}
    with session_scope(get_settings().db_url) as session:  # a finished SAT download, one package imported
        session.add(SatDownloadRun(id="satrun_walk", rfc="EKU9003173C9", directions=["issued"], status="completed",
                                   source="manual", **download))
        session.flush()
        session.add(SatDownloadRequest(id="satreq_walk", run_id="satrun_walk", direction="issued", kind="CFDI",
                                       status="completed", source="manual", package_ids=["PKG_WALK_01"], **download))
        session.flush()
        session.add(SatDownloadPackage(id="satpkg_walk", team_id=team, livemode=False, request_id="satreq_walk",
                                       package_id="PKG_WALK_01", status="imported", imported=1))
    run_jobs()  # what creating them queued (PDFs, e-mails) is done before the walk
    webhook_id, _ = make_webhook(client, headers, "http://127.0.0.1:9/hook")  # after the events: none to send
    event_id = _data(client.get("/v2/events", headers=headers, params={"limit": 1}))[0]["id"]
    file_url = urlsplit(document["fileUrl"])
    slug = portal.path.rsplit("/", 1)[1]
    return {
        "queries": {"/autofactura": urlsplit(receipt["url"]).query, "/portal/{slug}": portal.query,
                    "/portal/{slug}/files/{document_id}/{kind}": portal.query,
                    "/v2/sat-lists/check": "rfc=EKU9003173C9"},
        "/v2/invoices/{uuid}/support-documents": income["uuid"], "/v2/retentions/{id}": retention["id"],
        "/v2/retentions/{id}/files": retention["id"], "name": "invoices", "slug": slug,
        "document_id": income["id"], "kind": "pdf", "event_id": event_id, "receipt_id": receipt["id"],
        "webhook_id": webhook_id,
        "headers": headers,
        "/v2/invoices/income/{uuid}": income["uuid"], "/v2/invoices/egress/{uuid}": egress["uuid"],
        "/v2/invoices/{uuid}/files": income["uuid"], "/v2/invoices/sat/{uuid}": income["uuid"],
        "/v2/invoices/download/invoice/{uuid}": income["uuid"], "request_id": "satreq_walk",
        "package_id": "PKG_WALK_01",
        "/v2/invoices/complements/{uuid}": complement["uuid"],
        "/v2/invoices/payment/{uuid}": complement["uuid"],
        "draft_id": draft["id"], "payment_id": payment["id"], "client_id": ready.client_id,
        "service_id": service["id"], "team_id": team, "user_id": ready.account.user_id, "code": "42501",
        "key:path": file_url.path.removeprefix("/v2/files/"), "file_query": file_url.query,
        "/onboarding/{token}": urlsplit(onboarding).path.rsplit("/", 1)[1],
        "/login/{token}": urlsplit(login).path.rsplit("/", 1)[1], "/reset-password/{token}": reset,
        "/pay/{token}": urlsplit(payment["short_url"]).path.rsplit("/", 1)[1],
    }


def _url(template: str, objects: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(objects.get(template) or objects[name])

    url = re.sub(r"\{([^}]+)\}", value, template)
    if template.startswith("/v2/files/"):
        return f"{url}?{objects['file_query']}"
    if template in objects["queries"]:
        return f"{url}?{objects['queries'][template]}"
    return f"{url}?q=BERENICE" if url.endswith("/search") else \
        f"{url}?q=servicio" if url.endswith("-keys") and "catalogs" in url else url


def test_no_get_route_changes_a_row(app: FastAPI, client: TestClient, objects: dict[str, Any]) -> None:
    routes = _get_routes(app)
    assert len(routes) > 50 and "/v2/teams/{team_id}/onboarding-url" in routes and "/login/{token}" in routes
    before, jobs_before = _snapshot(), huey.pending_count()
    statuses = {}
    for template in routes:
        res = client.get(_url(template, objects), headers=objects["headers"])
        statuses[template] = res.status_code
        after = _snapshot()
        changed = [table for table in after if after[table] != before[table]]
        assert changed == [], f"GET {template} changed {changed}"
        assert huey.pending_count() == jobs_before, f"GET {template} queued a job"
    # every route was reached with real objects, not refused before its handler (SAT packages are not kept
    # after import: their route always answers 404 package_not_kept)
    assert {t: s for t, s in statuses.items() if s != 200} == {"/v2/invoices/download/package/{package_id}": 404}


def test_the_walk_sees_a_write(client: TestClient, objects: dict[str, Any]) -> None:
    """The snapshot notices a changed row (so the walk above can fail)."""
    before = _snapshot()
    with get_engine(get_settings().db_url).begin() as conn:
        conn.execute(text("UPDATE teams SET onboarding_nonce = 'changed' WHERE id = :id"), {"id": objects["team_id"]})
    assert _snapshot()["teams"] != before["teams"]
