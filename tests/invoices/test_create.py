"""Creating income and egress invoices through the API: the spec's worked examples, defaults, clients and
items in every form, related documents, global invoices. Every stamped XML is checked against SAT's XSD,
its Sello over the cadena original and the TFD's SelloSAT."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready
from timbre.config import get_settings
from timbre.emails.service import queue_email
from timbre.invoices.repository import InvoiceRepository
from timbre.kit.db import session_scope
from timbre.models import Invoice

CFDI = "{http://www.sat.gob.mx/cfd/4}"
IVA16 = {"type": "IVA", "rate": 0.16, "withholding": False}


def created(ready: Ready, kind: str = "income", **body: Any) -> dict[str, Any]:
    res = ready.create(kind, **body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    assert data["status"] == "valid" and data["uuid"]
    return data


def xml_of(ready: Ready, data: dict[str, Any]) -> Any:
    return assert_valid_cfdi(stored_xml(ready.client, ready.headers, data["uuid"]))


class TestWorkedExamples:
    """The invoices guide's examples (spec §2.3), sent as written except for the client id."""

    def test_multi_item_pue(self, ready: Ready) -> None:
        data = created(ready, automation_type="payment", exchange_rate=1.0, items=[
            {"description": "Consulting services - Phase 1", "quantity": 10, "unit_price": 1000.0,
             "product_key": "80141503", "unit_key": "HUR", "taxes": [IVA16]},
            {"description": "Software license", "quantity": 1, "unit_price": 5000.0, "product_key": "81111500",
             "unit_key": "H87", "taxes": [IVA16]}])
        assert (data["subtotal"], data["taxes"], data["total"]) == (15000.0, 2400.0, 17400.0)
        assert data["automation_type"] == "pue_invoice" and data["last_balance"] == 0
        root = xml_of(ready, data)
        assert root.get("Total") == "17400.00" and root.get("SubTotal") == "15000.00"
        assert root.get("TipoCambio") is None  # MXN at 1 is not written
        assert [c.get("ClaveUnidad") for c in root.iter(f"{CFDI}Concepto")] == ["HUR", "H87"]

    def test_iva_with_isr_and_two_thirds_of_iva_withheld(self, ready: Ready) -> None:
        data = created(ready, items=[{"description": "Professional services", "quantity": 1, "unit_price": 10000.0,
                                      "product_key": "80141503", "unit_key": "E48", "taxes": [
                                          IVA16, {"type": "ISR", "rate": 0.1, "withholding": True},
                                          {"type": "IVA", "rate": 0.106667, "withholding": True}]}])
        assert data["taxes"] == 1600.0 and data["taxes_withheld"] == 2066.67 and data["total"] == 9533.33
        root = xml_of(ready, data)
        impuestos = root.find(f"{CFDI}Impuestos")
        assert impuestos.get("TotalImpuestosRetenidos") == "2066.67"
        assert {r.get("Impuesto"): r.get("Importe") for r in impuestos.iter(f"{CFDI}Retencion")} == {
            "001": "1000.00", "002": "1066.67"}

    def test_ppd_keeps_a_balance(self, ready: Ready) -> None:
        data = created(ready, automation_type="none", payment_form="99", payment_method="PPD", items=[
            {"description": "Large project - Total amount", "quantity": 1, "unit_price": 100000.0,
             "product_key": "80141503", "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16}]}])
        assert data["total"] == 116000.0 and data["last_balance"] == 116000.0 and data["payment_method"] == "PPD"
        root = xml_of(ready, data)
        assert (root.get("MetodoPago"), root.get("FormaPago")) == ("PPD", "99")

    def test_global_invoice_to_the_general_public(self, ready: Ready) -> None:
        data = created(ready, client={"id": "client_publico_general"}, use="P01",
                       **{"global": {"periodicity": "04", "months": "01", "year": 2024}},
                       items=[{"description": "Ventas del periodo", "quantity": 1, "unit_price": 50000.0,
                               "product_key": "01010101", "unit_key": "ACT", "taxes": [{"type": "IVA", "rate": 0.16}]}])
        assert data["total"] == 58000.0 and data["global"] == {"periodicity": "04", "months": "01", "year": 2024}
        root = xml_of(ready, data)
        receptor = root.find(f"{CFDI}Receptor")
        assert receptor.get("Rfc") == "XAXX010101000" and receptor.get("Nombre") == "PUBLICO EN GENERAL"
        # CFDI 3.3's P01 is written as its CFDI 4.0 successor; the zip is the place of issue.
        assert receptor.get("UsoCFDI") == "S01" and receptor.get("DomicilioFiscalReceptor") == "42501"
        assert root.find(f"{CFDI}InformacionGlobal").get("Meses") == "01"


class TestAutomationTypes:
    @pytest.mark.parametrize(("given", "stored", "method"), [
        ("payment", "pue_invoice", "PUE"), ("pue_invoice", "pue_invoice", "PUE"),
        ("stamp_invoice", "pue_invoice", "PUE"),
        ("payment_and_complement", "ppd_invoice_and_complement", "PPD"),
        ("ppd_invoice_and_complement", "ppd_invoice_and_complement", "PPD"), ("none", "none", "PUE"),
        ("receipt", "receipt", "PUE"), ("PUE_Invoice", "pue_invoice", "PUE")])
    def test_every_spelling_of_the_spec(self, ready: Ready, given: str, stored: str, method: str) -> None:
        body = ready.body(automation_type=given)
        del body["payment_method"], body["payment_form"]
        if method == "PUE":
            body["payment_form"] = "03"
        res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body)
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert (data["automation_type"], data["payment_method"]) == (stored, method)
        if method == "PPD":
            assert data["payment_form"] == "99"

    def test_unknown_automation_is_a_422(self, ready: Ready) -> None:
        res = ready.create(automation_type="invoice_everything")
        assert res.status_code == 422 and res.json()["error"]["details"][0]["field"] == "automation_type"


class TestDefaults:
    def test_team_settings_fill_what_items_and_request_omit(self, ready: Ready) -> None:
        res = ready.client.put(f"/v2/teams/{ready.account.team_id}/settings", headers=ready.headers, json={
            "product_key": "81111500", "unit_key": "H87", "unit_name": "Licencia", "use": "G01",
            "taxes": [{"type": "IVA", "rate": 0.16}], "withholding_taxes": [{"type": "ISR", "rate": 0.1}],
            "invoice_pdf_notes": "Gracias por su compra", "default_series": {"income": {"serie": "F"}}})
        assert res.status_code == 200, res.text
        body = ready.body(items=[{"description": "Licencia anual", "unit_price": 100}])
        del body["use"]
        client_without_use = ready.client.put(f"/v2/clients/{ready.client_id}", headers=ready.headers,
                                              json={"use": None})
        assert client_without_use.status_code == 200
        data = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body).json()["data"]
        item = data["items"][0]
        assert (item["product_key"], item["unit_key"], item["unit_name"]) == ("81111500", "H87", "Licencia")
        assert [(t["type"], t["withholding"]) for t in item["taxes"]] == [("IVA", False), ("ISR", True)]
        assert (data["use"], data["series"], data["invoice_pdf_notes"]) == ("G01", "F", "Gracias por su compra")
        assert data["total"] == 106.0
        root = xml_of(ready, data)
        assert root.get("Serie") == "F" and root.get("Folio") == "1"

    def test_client_use_is_the_default(self, ready: Ready) -> None:
        body = ready.body()
        del body["use"]
        data = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body).json()["data"]
        assert data["use"] == "G03"

    def test_missing_item_fields_are_listed_together(self, ready: Ready) -> None:
        res = ready.create(items=[{"description": "x"}, {"unit_price": 5, "product_key": "80141503"}])
        assert res.status_code == 400
        fields = {d["field"] for d in res.json()["error"]["details"]}
        assert fields == {"items[0].unit_price", "items[0].product_key", "items[0].unit_key", "items[1].description",
                          "items[1].unit_key"}

    def test_pue_without_payment_form(self, ready: Ready) -> None:
        body = ready.body()
        del body["payment_form"]
        res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body)
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "payment_form"


class TestClientsAndItems:
    def test_client_found_by_search_and_created_inline(self, ready: Ready) -> None:
        found = created(ready, client={"search": {"on_key": "tax_id", "on_value": "XIQB891116QE4"}})
        assert found["client"]["id"] == ready.client_id
        inline = created(ready, client={"legal_name": "UNIVERSIDAD ROBOTICA ESPAÑOLA", "tax_id": "URE180429TM6",
                                        "tax_system": "601", "address": {"zip": "86991"}})
        assert inline["client"]["id"].startswith("client_") and inline["client"]["id"] != ready.client_id
        receptor = xml_of(ready, inline).find(f"{CFDI}Receptor")
        assert (receptor.get("Rfc"), receptor.get("RegimenFiscalReceptor")) == ("URE180429TM6", "601")

    def test_unknown_client_is_a_404(self, ready: Ready) -> None:
        assert ready.create(client={"id": "client_missing"}).status_code == 404

    def test_incomplete_client_names_the_missing_field(self, ready: Ready) -> None:
        res = ready.create(client={"name": "Sin RFC", "email": "sin@example.com"})
        assert res.status_code == 400
        assert any(d["field"] == "client.tax_id" for d in res.json()["error"]["details"])

    def test_items_by_service_id_and_by_sku(self, ready: Ready) -> None:
        service = ready.client.post("/v2/services", headers=ready.headers, json={
            "description": "Hosting mensual", "sku": "HOST-1", "product_key": "81112106", "unit_key": "E48",
            "unit_price": 250, "taxes": [{"type": "IVA", "rate": 0.16}]}).json()["data"]
        data = created(ready, items=[{"id": service["id"], "quantity": 2},
                                     {"search": {"on_key": "sku", "on_value": "host-1"}, "unit_price": 300}])
        first, second = data["items"]
        assert first["service_id"] == second["service_id"] == service["id"]
        assert (first["unit_price"], second["unit_price"]) == (250.0, 300.0)  # inline fields win
        assert data["total"] == 928.0
        root = xml_of(ready, data)
        assert [c.get("NoIdentificacion") for c in root.iter(f"{CFDI}Concepto")] == ["HOST-1", "HOST-1"]

    def test_sku_search_can_create_the_service(self, ready: Ready) -> None:
        data = created(ready, items=[ready.item(sku="NEW-1", search={"on_key": "sku", "on_value": "NEW-1",
                                                                      "auto_create": True})])
        service_id = data["items"][0]["service_id"]
        service = ready.client.get(f"/v2/services/{service_id}", headers=ready.headers).json()["data"]
        assert service["sku"] == "NEW-1" and service["unit_price"] == 1000.0

    def test_unknown_sku_without_auto_create(self, ready: Ready) -> None:
        res = ready.create(items=[{"search": {"on_key": "sku", "on_value": "NOPE"}}])
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "items[0].search"

    def test_discount_inclusive_taxes_and_third_party(self, ready: Ready) -> None:
        data = created(ready, items=[
            ready.item(quantity=3, unit_price=99.99, discount=10, taxes=[{"type": "IVA", "rate": 0.16,
                                                                          "inclusive": True}]),
            ready.item(third_party={"tax_id": "JUFA7608212V6", "legal_name": "ADRIANA JUAREZ FERNANDEZ",
                                    "tax_system": "612", "zip": "29133"})])
        first = data["items"][0]
        assert first["total"] == pytest.approx(3 * 99.99 - 10)  # the price already had the tax
        root = xml_of(ready, data)
        conceptos = list(root.iter(f"{CFDI}Concepto"))
        assert conceptos[0].get("Descuento") is not None
        assert conceptos[1].find(f"{CFDI}ACuentaTerceros").get("RfcACuentaTerceros") == "JUFA7608212V6"
        assert Decimal(root.get("Total")) == Decimal(str(data["total"]))


class TestRelatedDocumentsAndEgress:
    def test_credit_note_relates_to_the_invoice(self, ready: Ready) -> None:
        invoice = created(ready)
        note = created(ready, "egress", use="G02", related_documents=[
            {"relationship": "01", "documents": [invoice["uuid"].lower()]}], items=[ready.item(quantity=1)])
        assert note["invoice_type"] == "E" and note["series"] == "E" and note["folio_number"] == 1
        assert note["related_documents"] == [{"relationship": "01", "documents": [invoice["uuid"]]}]
        root = xml_of(ready, note)
        assert root.get("TipoDeComprobante") == "E"
        related = root.find(f"{CFDI}CfdiRelacionados")
        assert related.get("TipoRelacion") == "01"
        assert related.find(f"{CFDI}CfdiRelacionado").get("UUID") == invoice["uuid"]
        assert ready.client.get(f"/v2/invoices/egress/{note['uuid']}", headers=ready.headers).status_code == 200
        assert ready.client.get(f"/v2/invoices/income/{note['uuid']}", headers=ready.headers).status_code == 404

    def test_relating_to_a_cancelled_invoice_is_refused(self, ready: Ready) -> None:
        invoice = created(ready)
        res = ready.client.request("DELETE", f"/v2/invoices/{invoice['uuid']}", headers=ready.headers,
                                   json={"motive": "02"})
        assert res.status_code == 200
        res = ready.create("egress", use="G02", related_documents=[{"relationship": "01",
                                                                   "documents": [invoice["uuid"]]}])
        assert res.status_code == 400
        (detail,) = res.json()["error"]["details"]
        assert (detail["code"], detail["field"]) == ("CFDI40999", "related_documents[0].documents[0]")
        # A substitute (04) of a cancelled invoice is fine: that is how SAT's substitution works.
        assert ready.create(related_documents=[{"relationship": "04", "documents": [invoice["uuid"]]}]) \
            .status_code == 201


class TestRequestFields:
    def test_exports_metadata_notes_and_return_files(self, ready: Ready) -> None:
        data = created(ready, exports="01", metadata={"order_id": "ORD-7", "n": 3}, invoice_pdf_notes="Pedido 7",
                       return_files_urls=True, send_email=False, emails=["a@example.com"],
                       idempotency_key="create-7")
        assert data["exports"] == "01" and data["metadata"] == {"order_id": "ORD-7", "n": 3}
        assert set(data["files"]) == {"pdf", "xml"}
        listed = ready.client.get("/v2/invoices/income", headers=ready.headers,
                                  params={"metadata.order_id": "ORD-7"}).json()
        assert [i["uuid"] for i in listed["data"]] == [data["uuid"]]

    def test_custom_complements_are_refused(self, ready: Ready) -> None:
        res = ready.create(complements=[{"type": "custom", "data": "<x/>"}])
        assert res.status_code == 400 and res.json()["error"]["code"] == "unsupported_complement"

    def test_foreign_currency(self, ready: Ready) -> None:
        data = created(ready, currency="usd", exchange_rate=17.25)
        root = xml_of(ready, data)
        assert (root.get("Moneda"), root.get("TipoCambio")) == ("USD", "17.25")
        assert data["exchange_rate"] == 17.25


class TestReadiness:
    def test_team_without_fiscal_data(self, client: Any) -> None:
        from tests.factories import create_account

        account = create_account()
        res = client.post("/v2/invoices/income", headers=account.headers(),
                          json={"client": {"id": "client_x"}, "items": [{"description": "x", "unit_price": 1}]})
        assert res.status_code == 400
        assert {d["field"] for d in res.json()["error"]["details"]} == {"team.tax_id", "team.tax_system",
                                                                         "team.address.zip"}

    def test_team_without_csd(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/income", headers=ready.account.headers(live=True), json=ready.body())
        # live mode: no PAC configured comes first, before anything is resolved or taken
        assert res.status_code == 400 and res.json()["error"]["code"] == "pac_not_configured"

    def test_live_and_test_data_never_mix(self, ready: Ready) -> None:
        data = created(ready)
        live = ready.account.headers(live=True)
        assert ready.client.get(f"/v2/invoices/income/{data['uuid']}", headers=live).status_code == 404
        assert ready.client.get("/v2/invoices/income", headers=live).json()["total_results"] == 0


class TestReceiverUse:
    """A client stored with a default use its régimen does not allow (gigstack's CLI sends `use: G03` for every
    client) is invoiced with SAT's rule CFDI40161 applied to the use the invoice writes: refused, never
    silently changed."""

    def _client_616(self, ready: Ready) -> str:
        res = ready.client.post("/v2/clients", headers=ready.headers, json={
            "legal_name": "BERENICE XIMO QUEZADA", "tax_id": "XIQB891116QE4", "tax_system": "616", "use": "G03",
            "address": {"zip": "36257"}})
        assert res.status_code == 201 and res.json()["data"]["is_valid"] is False, res.text
        return str(res.json()["data"]["id"])

    @pytest.mark.parametrize("use", ["G03", None])
    def test_a_use_the_receivers_regime_does_not_allow_is_refused(self, ready: Ready, use: str | None) -> None:
        body = ready.body(client={"id": self._client_616(ready)})
        if use is None:  # the client's default G03
            body.pop("use")
        else:
            body["use"] = use
        res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body)
        assert res.status_code == 400, res.text
        assert [d["field"] for d in res.json()["error"]["details"] if d.get("code") == "CFDI40161"] == ["use"]
        assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 0

    def test_a_use_it_allows_stamps(self, ready: Ready) -> None:
        data = created(ready, client={"id": self._client_616(ready)}, use="S01")
        receptor = xml_of(ready, data).find(f"{CFDI}Receptor")
        assert (receptor.get("UsoCFDI"), receptor.get("RegimenFiscalReceptor")) == ("S01", "616")


class TestAccessAndRetries:
    def test_viewers_read_editors_create(self, ready: Ready) -> None:
        from tests.factories import bearer, create_key

        viewer = bearer(create_key(ready.account.team_id, role="viewer"))
        editor = bearer(create_key(ready.account.team_id, role="editor"))
        assert ready.client.post("/v2/invoices/income", headers=viewer, json=ready.body()).status_code == 403
        data = ready.client.post("/v2/invoices/income", headers=editor, json=ready.body()).json()["data"]
        assert ready.client.get(f"/v2/invoices/income/{data['uuid']}", headers=viewer).status_code == 200

    def test_an_idempotent_retry_returns_the_same_invoice(self, ready: Ready) -> None:
        headers = {**ready.headers, "Idempotency-Key": "inv-1"}
        first = ready.client.post("/v2/invoices/income", headers=headers, json=ready.body())
        again = ready.client.post("/v2/invoices/income", headers=headers, json=ready.body())
        assert first.status_code == again.status_code == 201
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json()["data"]["uuid"] == first.json()["data"]["uuid"]
        assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 1

    def test_a_connect_team_invoices_and_then_cannot_be_deleted(self, ready: Ready, test_csd: Any) -> None:
        from tests.invoices.conftest import CLIENT, EMISOR_NAME, EMISOR_RFC

        h = ready.headers
        team = ready.client.post("/v2/teams", headers=h, json={"legal_name": EMISOR_NAME}).json()["data"]["id"]
        ready.client.put(f"/v2/teams/{team}", headers=h, json={"tax_id": EMISOR_RFC, "tax_system": "601",
                                                               "address": {"zip": "42501"}})
        connected = ready.client.post(f"/v2/teams/{team}/sat-connection", headers=h, params={"team": team},
                                      files={"cert": ("a.cer", test_csd.cer), "key": ("a.key", test_csd.key)},
                                      data={"keyPass": test_csd.password})
        assert connected.status_code == 200
        res = ready.client.post("/v2/invoices/income", headers=h, params={"team": team},
                                json=ready.body(client=CLIENT))
        assert res.status_code == 201 and res.json()["data"]["team"] == team
        assert ready.client.get("/v2/invoices/income", headers=h).json()["total_results"] == 0  # not the master's
        refused = ready.client.delete(f"/v2/teams/{team}", headers=h)
        assert refused.status_code == 400 and "invoices" in refused.json()["error"]["message"]


def test_amounts_beyond_a_cfdi_are_refused_before_anything_is_taken(ready: Ready) -> None:
    """Total within SAT's MXN limit (a small exchange rate) but beyond 18 integer digits in its currency."""
    res = ready.create(currency="USD", exchange_rate=0.000001, items=[ready.item(quantity=1000000, unit_price=1e15,
                                                                                 taxes=[])])
    assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "items"
    assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 0


@pytest.mark.parametrize("item", [
    {"quantity": 1e12, "unit_price": 1e15, "discount": 1e15},
    {"quantity": 999999999999.999999, "unit_price": 999999999999999.999999,
     "taxes": [{"type": "IEPS", "factor": "Cuota", "rate": 999999}]},
    {"quantity": 1e6, "unit_price": 1e15, "taxes": [{"type": "IVA", "rate": 0.16, "inclusive": True}]},
])
def test_extreme_numbers_are_a_400_never_a_500(ready: Ready, item: dict[str, Any]) -> None:
    res = ready.create(items=[ready.item(**item)])
    assert res.status_code == 400, res.text
    dry = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=ready.body(items=[ready.item(**item)]))
    assert dry.status_code == 200 and dry.json()["data"]["valid"] is False


class TestAnswer:
    def test_the_answer_is_the_invoice_as_get_and_its_event_show_it(self, ready: Ready) -> None:
        data = created(ready)
        assert data.pop("warnings") == []
        shown = ready.client.get(f"/v2/invoices/income/{data['uuid']}", headers=ready.headers).json()["data"]
        assert data == shown
        [event] = ready.client.get("/v2/events", headers=ready.headers,
                                   params={"type": "invoice.created"}).json()["data"]
        assert event["data"]["uuid"] == data["uuid"] and event["data"]["updated_at"] == data["updated_at"]

    def test_the_stamps_lock_tells_whether_an_email_carried_the_invoice(self, ready: Ready) -> None:
        """`finish` shows the invoice's e-mails without querying them when its lock says none carried it."""
        data = created(ready)
        with session_scope(get_settings().db_url) as session:
            invoice = session.get(Invoice, data["id"])
            assert invoice is not None
            repo = InvoiceRepository.from_session(session)
            assert repo.lock_status(invoice) == ("valid", False)
            queue_email(session, to="other@example.com", subject="s", body="b", team_id="team_other",
                        document_id=invoice.id)  # another team's message never counts
            assert repo.lock_status(invoice) == ("valid", False)
            queue_email(session, to="a@example.com", subject="s", body="b", team_id=invoice.team_id,
                        document_id=invoice.id)
            assert repo.lock_status(invoice) == ("valid", True)

    def test_with_file_links_asked_for(self, ready: Ready) -> None:
        data = created(ready, return_files_urls=True)
        assert set(data["files"]) >= {"pdf", "xml"}
