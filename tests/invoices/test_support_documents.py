"""`POST`/`GET /invoices/{uuid}/support-documents`: the same storage, sniffed type and limits as clients'."""

from __future__ import annotations

from tests.invoices.conftest import Ready
from timbre.clients.support_docs import MAX_FILE_SIZE


def _invoice(ready: Ready) -> dict[str, str]:
    res = ready.create()
    assert res.status_code == 201, res.text
    data: dict[str, str] = res.json()["data"]
    return data


class TestUpload:
    def test_upload_and_list_by_uuid(self, ready: Ready) -> None:
        invoice = _invoice(ready)
        url = f"/v2/invoices/{invoice['uuid']}/support-documents"
        res = ready.client.post(url, headers=ready.headers, files={"file": ("contrato.pdf", b"%PDF-1.4 test")},
                                data={"documentType": "contract", "description": "Contrato firmado"})
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert data["linkedEntities"] == [{"entityType": "invoice", "entityId": invoice["id"]}]
        assert (data["mimeType"], data["documentType"]) == ("application/pdf", "contract")
        listed = ready.client.get(url, headers=ready.headers).json()
        assert [d["fileName"] for d in listed["data"]] == ["contrato.pdf"]
        assert listed["total_results"] == 1
        by_id = ready.client.get(f"/v2/invoices/{invoice['id']}/support-documents", headers=ready.headers).json()
        assert [d["id"] for d in by_id["data"]] == [data["id"]]

    def test_type_is_judged_by_the_bytes(self, ready: Ready) -> None:
        invoice = _invoice(ready)
        res = ready.client.post(f"/v2/invoices/{invoice['uuid']}/support-documents", headers=ready.headers,
                                files={"file": ("x.pdf", b"MZ not a pdf")}, data={"documentType": "contract"})
        assert res.status_code == 415

    def test_too_large_is_a_413(self, ready: Ready) -> None:
        invoice = _invoice(ready)
        res = ready.client.post(f"/v2/invoices/{invoice['uuid']}/support-documents", headers=ready.headers,
                                files={"file": ("big.pdf", b"%PDF-1.4" + b"0" * MAX_FILE_SIZE)},
                                data={"documentType": "contract"})
        assert res.status_code == 413

    def test_unknown_invoice_and_other_mode_are_404(self, ready: Ready) -> None:
        invoice = _invoice(ready)
        url = f"/v2/invoices/{invoice['uuid']}/support-documents"
        assert ready.client.get(url, headers=ready.account.headers(live=True)).status_code == 404
        missing = "/v2/invoices/00000000-0000-0000-0000-000000000000/support-documents"
        assert ready.client.get(missing, headers=ready.headers).status_code == 404
