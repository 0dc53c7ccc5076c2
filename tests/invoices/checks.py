"""What every stamped document of the tests must satisfy, and how the tests read files back."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from timbre.cfdi import xmlsafe, xsd
from timbre.cfdi.pac.sandbox import verify_tfd
from timbre.cfdi.seal import verify_seal
from timbre.worker import huey


def assert_valid_cfdi(xml: bytes) -> Any:
    """SAT's XSD, the Sello over SAT's cadena original, the TFD's SelloSAT over its own; returns the root."""
    assert xsd.validate(xml) == []
    assert verify_seal(xml), "Sello does not verify over the cadena original"
    assert verify_tfd(xml), "SelloSAT does not verify with the sandbox certificate"
    return xmlsafe.parse(xml)


def download(client: TestClient, url: str) -> Any:
    """A plain GET of a signed link, as gigstack's CLI does it: no API key."""
    response = client.get(url, headers={})
    assert response.status_code == 200, response.text
    return response


def stored_xml(client: TestClient, headers: dict[str, str], ref: str) -> bytes:
    links = client.get(f"/v2/invoices/{ref}/files", headers=headers, params={"file_type": "xml"})
    assert links.status_code == 200, links.text
    content: bytes = download(client, links.json()["data"]["xml"]).content
    return content


def pdf_text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "install poppler-utils (pdftotext) to run the PDF tests"
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def reddish_pixels(pdf: bytes, tmp_path: Path) -> int:
    """Pixels of the first page (at 30 dpi) where red clearly dominates: the watermark's colour, which
    pdftotext cannot read back (the text is diagonal)."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"), str(tmp_path / "page")],
                   check=True)
    (page,) = sorted(tmp_path.glob("page-*.ppm"))
    with Image.open(page) as image:
        rgb = image.convert("RGB").tobytes()
    page.unlink()
    return sum(1 for i in range(0, len(rgb), 3) if rgb[i] - rgb[i + 1] > 12 and rgb[i] - rgb[i + 2] > 12)


def run_scheduled(rounds: int = 1) -> list[Any]:
    """Run the jobs of the real queue as if their time had come (retries scheduled for later included),
    `rounds` times: a job a round re-schedules runs in the next one."""
    later = datetime.utcnow() + timedelta(days=1)  # Huey keeps naive UTC times
    results = []
    for _ in range(rounds):
        for task in huey.read_schedule(later):
            huey.enqueue(task)
        tasks = []
        while (task := huey.dequeue()) is not None:
            tasks.append(task)
        if not tasks:
            break
        results += [huey.execute(task, timestamp=later) for task in tasks]
    return results


def assert_folios_written(invoice_ids: list[str]) -> None:
    """Each stamped XML carries its own row's series and folio (a document sealed for a folio that another
    request took must have been sealed again)."""
    from timbre.cfdi import xmlsafe
    from timbre.config import get_settings
    from timbre.kit.db import session_scope
    from timbre.models import Invoice

    with session_scope(get_settings().db_url) as session:
        for invoice_id in invoice_ids:
            row = session.get(Invoice, invoice_id)
            assert row is not None and row.xml is not None
            root = xmlsafe.parse(row.xml)
            assert (root.get("Serie"), root.get("Folio")) == (row.series, str(row.folio_number))
