"""Series and folios (one counter per team, series and mode; atomic under concurrency) and credits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.factories import run_jobs
from tests.invoices.checks import assert_folios_written
from tests.invoices.conftest import Ready
from timbre.config import get_settings
from timbre.kit.db import session_scope


def _folio(res: Any) -> int:
    assert res.status_code == 201, res.text
    folio: int = res.json()["data"]["folio_number"]
    return folio


class TestFolios:
    def test_fifty_concurrent_creations_get_fifty_consecutive_folios(self, ready: Ready) -> None:
        with ThreadPoolExecutor(max_workers=12) as pool:
            responses = list(pool.map(lambda _: ready.create(series="C"), range(50)))
        assert sorted(_folio(r) for r in responses) == list(range(1, 51))
        uuids = {r.json()["data"]["uuid"] for r in responses}
        assert len(uuids) == 50
        assert_folios_written([r.json()["data"]["id"] for r in responses])
        series = ready.client.get(f"/v2/teams/{ready.account.team_id}/series", headers=ready.headers).json()["data"]
        (row,) = [s for s in series if s["series"] == "C"]
        assert (row["test"], row["live"], row["document_type"]) == (50, 0, "income")

    def test_each_series_and_document_type_counts_on_its_own(self, ready: Ready) -> None:
        assert [_folio(ready.create()) for _ in range(2)] == [1, 2]
        assert _folio(ready.create(series="B")) == 1
        assert _folio(ready.create(invoice_config={"serie": "B"})) == 2
        assert _folio(ready.create("egress", use="G02")) == 1  # credit notes: series E, their own counter
        assert _folio(ready.create("egress", use="G02", series="A")) == 1  # series A of credit notes

    def test_the_series_counter_set_on_the_team_is_followed(self, ready: Ready) -> None:
        res = ready.client.post(f"/v2/teams/{ready.account.team_id}/series", headers=ready.headers,
                                json={"series": "Z", "test": 100, "live": 7})
        assert res.status_code == 201
        assert _folio(ready.create(series="Z")) == 101

    def test_a_given_folio_is_honoured_once(self, ready: Ready) -> None:
        assert _folio(ready.create(series="G", folio_number=2)) == 2
        used = ready.create(series="G", folio_number=2)
        assert used.status_code == 409 and used.json()["error"]["code"] == "folio_in_use"
        # The counter goes around folios given by hand: 1, then 3.
        assert [_folio(ready.create(series="G")) for _ in range(2)] == [1, 3]

    def test_force_series_wins_over_the_request(self, ready: Ready) -> None:
        ready.client.put(f"/v2/teams/{ready.account.team_id}/settings", headers=ready.headers,
                         json={"force_series": True, "default_series": {"income": {"serie": "FX"}}})
        assert ready.create(series="B").json()["data"]["series"] == "FX"

    def test_rejected_requests_take_no_folio(self, ready: Ready) -> None:
        assert ready.create(payment_form="77").status_code == 400
        assert ready.create(client={"id": "client_missing"}).status_code == 404
        assert _folio(ready.create()) == 1


class TestCredits:
    def test_stamping_at_the_limit_is_refused_with_402(self, ready: Ready) -> None:
        team = f"/v2/teams/{ready.account.team_id}"
        assert ready.client.put(team, headers=ready.headers, json={"credit_limit": 2}).status_code == 200
        assert ready.client.post("/v2/invoices/validate", headers=ready.headers, json=ready.body()).status_code == 200
        assert ready.create(payment_form="77").status_code == 400  # refused by the rules: nothing spent
        assert [ready.create().status_code for _ in range(2)] == [201, 201]
        res = ready.create()
        assert res.status_code == 402
        body = res.json()
        assert body["message"] == "Team credit limit reached"
        assert body["error"]["message"] == "No remaining credits"
        assert (body["credit_limit"], body["used_credits"]) == (2, 2)
        data = ready.client.get(team, headers=ready.headers).json()["data"]
        assert (data["used_credits"], data["billing"]["credits"]) == (2, 0)

    def test_concurrent_requests_never_overspend(self, ready: Ready) -> None:
        ready.client.put(f"/v2/teams/{ready.account.team_id}", headers=ready.headers, json={"credit_limit": 5})
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = sorted(r.status_code for r in pool.map(lambda _: ready.create(), range(12)))
        assert codes == [201] * 5 + [402] * 7
        listed = ready.client.get("/v2/invoices/income", headers=ready.headers).json()
        assert listed["total_results"] == 5


def _reserve(ready: Ready, *, then_stamp: bool = False) -> str:
    """Step 2 of the create pipeline on its own (as if the request died right after it), or followed by
    steps 3 and 4: the invoice's id."""
    from timbre.auth.dependencies import AuthContext
    from timbre.auth.roles import Role
    from timbre.invoices.compose import compose
    from timbre.invoices.create import reserve, seal_and_stamp
    from timbre.invoices.schemas import InvoiceInput
    from timbre.invoices.stamping import sandbox
    from timbre.models import ApiKey, Team

    settings = get_settings()
    with session_scope(settings.db_url) as session:
        team = session.get(Team, ready.account.team_id)
        key = session.query(ApiKey).filter(ApiKey.team_id == ready.account.team_id,
                                           ApiKey.livemode.is_(False)).first()
        assert team is not None and key is not None
        auth = AuthContext(key=key, key_team=team, team=team, livemode=False, role=Role.admin)
        composed = compose(session, auth, settings.secret(), InvoiceInput.model_validate(ready.body()), "I")
        invoice = reserve(session, auth, composed, {})
        if then_stamp:
            session.commit()
            seal_and_stamp(session, invoice, composed, sandbox())
        return invoice.id


def test_a_document_is_sealed_for_the_folio_it_got(ready: Ready) -> None:
    """The folio is taken first and the document sealed for it: a concurrent request cannot make it stale."""
    from timbre.cfdi import xmlsafe
    from timbre.models import Invoice

    first = _reserve(ready, then_stamp=True)
    assert _folio(ready.create()) == 2  # another request, meanwhile
    second = _reserve(ready, then_stamp=True)
    for invoice_id, folio in ((first, "1"), (second, "3")):
        with session_scope(get_settings().db_url) as session:
            row = session.get(Invoice, invoice_id)
            assert row is not None and row.xml is not None and row.status == "valid"
            assert xmlsafe.parse(row.xml).get("Folio") == folio


def test_an_invoice_whose_request_died_before_sealing_fails_visibly(ready: Ready) -> None:
    """A pending invoice without XML never reached a PAC: once stale, the recovery sweep fails it (the folio
    is skipped with a visible failed attempt) and gives its credit back; the series goes on."""
    from sqlalchemy import update

    from timbre.invoices.tasks import recover_invoice, sweep_pending
    from timbre.models import Invoice, Team

    died = _reserve(ready)
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, ready.account.team_id)
        assert team is not None and team.used_credits == 1
    assert recover_invoice.call_local(died, ready.account.team_id, False) == "busy"  # its request may be sealing
    with session_scope(get_settings().db_url) as session:
        session.execute(update(Invoice).where(Invoice.id == died, Invoice.team_id == ready.account.team_id)
                        .values(updated_at=0))
    assert sweep_pending.call_local() == 1
    run_jobs()
    failed = ready.client.get(f"/v2/invoices/income/{died}", headers=ready.headers).json()["data"]
    assert failed["status"] == "failed" and failed["folio_number"] == 1 and failed["uuid"] is None
    assert failed["error"]["code"] == "not_sealed"
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, ready.account.team_id)
        assert team is not None and team.used_credits == 0
    assert _folio(ready.create()) == 2
