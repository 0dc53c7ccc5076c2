"""`/search` finds the rows holding every word, whichever word goes through the index (kit.textsearch)."""

from __future__ import annotations

from tests.invoices.conftest import Ready, ready, test_csd
from tests.payments.helpers import request
from timbre.kit.textsearch import _rarest_first, escape_like


def _payment(ready: Ready, reference: str) -> str:
    res = request(ready, metadata={"reference": reference})
    assert res.status_code == 201, res.text
    return str(res.json()["data"]["id"])


__all__ = ["ready", "test_csd"]  # the fixtures


class TestContainsEveryWord:
    def test_the_rarest_looking_word_goes_first(self) -> None:
        assert _rarest_first(["cliente", "000042"]) == ["000042", "cliente"]
        assert _rarest_first(["sa", "kemper", "de", "kemper"]) == ["kemper", "sa", "de"]
        assert _rarest_first(["a-12", "b1234"]) == ["b1234", "a-12"]

    def test_like_wildcards_are_literal(self) -> None:
        assert escape_like("50%_a\\b") == "50\\%\\_a\\\\b"

    def test_every_word_must_be_found_in_any_order(self, ready: Ready) -> None:
        wanted = _payment(ready, "Pedido 000042 Norte")
        _payment(ready, "Pedido 000043 Norte")
        _payment(ready, "Otro 000042 Sur")
        for q in ("pedido 000042", "000042 pedido", "PEDIDO norte 000042", "pedido 42 nort"):
            res = ready.client.get("/v2/payments/search", params={"q": q}, headers=ready.headers)
            assert res.status_code == 200, res.text
            assert [p["id"] for p in res.json()["data"]] == [wanted], q
        res = ready.client.get("/v2/payments/search", params={"q": "pedido 100%"}, headers=ready.headers)
        assert res.status_code == 200 and res.json()["data"] == []
