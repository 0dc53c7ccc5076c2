"""`metadata.<key>=<value>` filters mean `metadata->>'key' = value` on SQLite and PostgreSQL alike; on
PostgreSQL they go through the jsonb containment the GIN index serves (kit.jsonfilter)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DB_KIND
from tests.factories import create_account
from tests.kit.test_pagination import _make_teams
from timbre.kit.jsonfilter import _candidates


def _found(client: TestClient, headers: dict[str, str], key: str, value: str) -> set[str]:
    res = client.get("/v2/teams", params={f"metadata.{key}": value, "limit": 100}, headers=headers)
    assert res.status_code == 200, res.text
    return {t["metadata"].get("name", "") for t in res.json()["data"]}


class TestMetadataFilters:
    def test_string_values_match_exactly(self, client: TestClient) -> None:
        acct = create_account()
        for name, tier in (("a", "vip"), ("b", "VIP"), ("c", "vip "), ("d", "std")):
            _make_teams(client, acct.headers(), 1, metadata={"name": name, "tier": tier})
        assert _found(client, acct.headers(), "tier", "vip") == {"a"}
        assert _found(client, acct.headers(), "tier", "vip ") == {"c"}
        assert _found(client, acct.headers(), "tier", "gold") == set()
        assert _found(client, acct.headers(), "missing", "vip") == set()

    def test_a_string_that_looks_like_a_number_matches_the_string(self, client: TestClient) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 1, metadata={"name": "a", "order": "500001"})
        _make_teams(client, acct.headers(), 1, metadata={"name": "b", "order": "500002"})
        assert _found(client, acct.headers(), "order", "500001") == {"a"}

    @pytest.mark.skipif(DB_KIND != "postgres", reason="SQLite's ->> keeps numbers and booleans typed")
    def test_numbers_and_booleans_match_their_json_text_on_postgres(self, client: TestClient) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 1, metadata={"name": "a", "n": 5, "ok": True})
        _make_teams(client, acct.headers(), 1, metadata={"name": "b", "n": "5", "ok": False})
        assert _found(client, acct.headers(), "n", "5") == {"a", "b"}
        assert _found(client, acct.headers(), "ok", "true") == {"a"}
        assert _found(client, acct.headers(), "ok", "false") == {"b"}

    @pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999", '["\\u0000"]', '["\\ud800"]', '{"a": 1}', "null",
                                       "[]", '"x"', "9" * 400,
                                       "%", "_", "'; DROP TABLE teams; --"])
    def test_odd_values_are_answered_never_a_500(self, client: TestClient, value: str) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 1, metadata={"name": "a", "k": value})
        assert _found(client, acct.headers(), "k", value) == {"a"}

    def test_a_number_too_long_for_python_finds_nothing(self, client: TestClient) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 1, metadata={"name": "a", "k": "1"})
        assert _found(client, acct.headers(), "k", "1" * 5000) == set()


class TestCandidates:
    def test_what_each_value_may_be_stored_as(self) -> None:
        assert _candidates("vip") == ["vip"]
        assert _candidates("5") == ["5", 5]
        assert _candidates("true") == ["true", True]
        assert _candidates("[1]") == ["[1]"] and _candidates('{"a": 1}') == ['{"a": 1}']
        assert _candidates('"x"') == ['"x"']
        assert _candidates("null") == ["null"]
        assert _candidates("NaN") == ["NaN"] and _candidates("1e999") == ["1e999"]
        assert _candidates('["\\u0000"]') == ['["\\u0000"]'] and _candidates('["\\ud800"]') == ['["\\ud800"]']
        assert _candidates("1" * 5000) == ["1" * 5000] and _candidates("9" * 19) == ["9" * 19]
        assert _candidates(str(2**63 - 1)) == [str(2**63 - 1), 2**63 - 1]
