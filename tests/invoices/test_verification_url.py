"""`verification_url` (API) and the PDF's QR code hold the same string, in the format of Anexo 20's
"código de barras bidimensional": verificacfdi…/default.aspx?id=UUID&re=…&rr=…&tt=total&fe=last 8 of Sello."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.invoices.checks import assert_valid_cfdi, download, stored_xml
from tests.invoices.conftest import Ready

QR_FORMAT = re.compile(
    r"^https://verificacfdi\.facturaelectronica\.sat\.gob\.mx/default\.aspx\?id=[0-9A-F-]{36}"
    r"&re=[A-Z&Ñ0-9;amp]{12,17}&rr=[A-Z&Ñ0-9;amp]{12,17}&tt=\d{1,18}\.\d{1,6}&fe=.{8}$"
)


def qr_of(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page-*.png"))
    run = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, check=True)
    return run.stdout.decode().strip()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="needs zbar-tools (scripts/system-deps.sh)")
class TestVerificationUrl:
    @pytest.mark.parametrize(("unit_price", "tt"), [(1000.0, "2320.0"), (1234.5, "2864.04")])
    def test_api_and_qr_are_the_same_string(self, ready: Ready, tmp_path: Path, unit_price: float, tt: str) -> None:
        res = ready.create(items=[ready.item(unit_price=unit_price)])
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, data["uuid"]))
        url = data["verification_url"]
        assert QR_FORMAT.match(url), url
        # tt: the Total without non-significant zeros, keeping one decimal (Anexo 20).
        assert Decimal(root.get("Total")) == Decimal(tt) and f"&tt={tt}&" in url
        assert url.endswith(f"&fe={root.get('Sello')[-8:]}")
        links = ready.client.get(f"/v2/invoices/{data['uuid']}/files", headers=ready.headers,
                                 params={"file_type": "pdf"})
        assert links.status_code == 200, links.text
        assert qr_of(download(ready.client, links.json()["data"]["pdf"]).content, tmp_path) == url
        fetched = ready.client.get(f"/v2/invoices/income/{data['uuid']}", headers=ready.headers).json()["data"]
        assert fetched["verification_url"] == url
