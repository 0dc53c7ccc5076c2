"""Reading the mirror back in tests: its rows, the events it emitted, the requests of a run."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.invoices.conftest import Ready
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Event, Invoice, SatDownloadRequest, SatDownloadRun


def mirror(ready: Ready, **params: Any) -> list[dict[str, Any]]:
    res = ready.client.get("/v2/invoices/sat", headers=ready.headers, params={"limit": 100, **params})
    assert res.status_code == 200, res.text
    data: list[dict[str, Any]] = res.json()["data"]
    return data


def synced_events(team_id: str) -> int:
    with session_scope(get_settings().db_url) as session:
        return int(session.scalar(select(func.count()).select_from(Event).where(
            Event.team_id == team_id, Event.type == "sat.invoice.synced")) or 0)


def run_of(run_id: str) -> tuple[SatDownloadRun, list[SatDownloadRequest]]:
    with session_scope(get_settings().db_url) as session:
        run = session.get(SatDownloadRun, run_id)
        assert run is not None
        requests = list(session.scalars(select(SatDownloadRequest).where(SatDownloadRequest.run_id == run_id)))
        session.expunge_all()
        return run, requests


def issued_xml(uuid: str) -> bytes:
    with session_scope(get_settings().db_url) as session:
        xml = session.scalar(select(Invoice.xml).where(Invoice.uuid == uuid))
        assert xml is not None
        return bytes(xml)


def forge(xml: bytes) -> bytes:
    """The same CFDI with one byte of the issuer's seal changed."""
    start = xml.index(b'Sello="') + len(b'Sello="') + 10
    replacement = b"A" if xml[start:start + 1] != b"A" else b"B"
    return xml[:start] + replacement + xml[start + 1:]


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def import_zip(client: TestClient, ready: Ready, files: dict[str, bytes]) -> Any:
    return client.post("/v2/invoices/sat/import", headers=ready.headers,
                       files={"file": ("sat.zip", zipped(files), "application/zip")})
