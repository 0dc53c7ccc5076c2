"""`total_results` of large lists: exact up to `EXACT_COUNT_LIMIT` matches, PostgreSQL's estimate beyond
(flagged `total_results_estimated`), SQLite always exact; `has_more` and the pages never depend on it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import DB_KIND
from tests.factories import create_account
from tests.kit.test_pagination import _make_teams, _walk
from timbre.config import get_settings
from timbre.kit import pagination
from timbre.kit.db import get_engine
from timbre.models import Team


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 3)
    return 3


class TestTotalResults:
    def test_a_total_within_the_limit_is_exact(self, client: TestClient) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 4)
        body = client.get("/v2/teams", params={"limit": 2}, headers=acct.headers()).json()
        assert body["total_results"] == 5 and body["pagination"] == {"totalItems": 5}
        assert body["total_results_estimated"] is False

    def test_beyond_the_limit_postgres_estimates_and_says_so_sqlite_counts(self, client: TestClient,
                                                                           small_limit: int) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 7)
        body = client.get("/v2/teams", params={"limit": 2}, headers=acct.headers()).json()
        if DB_KIND == "postgres":
            assert body["total_results_estimated"] is True
            assert body["total_results"] > small_limit  # never below what was counted
            assert body["pagination"] == {"totalItems": body["total_results"]}
        else:
            assert (body["total_results"], body["total_results_estimated"]) == (8, False)

    def test_a_filter_within_the_limit_stays_exact(self, client: TestClient, small_limit: int) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 5, metadata={"region": "sur"})
        _make_teams(client, acct.headers(), 2, metadata={"region": "norte"})
        body = client.get("/v2/teams", params={"metadata.region": "norte"}, headers=acct.headers()).json()
        assert (body["total_results"], body["total_results_estimated"]) == (2, False)

    def test_cursor_pages_walk_every_row_whatever_the_total(self, client: TestClient, small_limit: int) -> None:
        acct = create_account()
        created = set(_make_teams(client, acct.headers(), 8)) | {acct.team_id}
        pages = _walk(client, acct.headers(), {"limit": 4})
        assert [len(p) for p in pages] == [4, 4, 1]
        assert {i for p in pages for i in p} == created

    def test_numbered_pages_know_the_last_one_without_the_total(self, client: TestClient, small_limit: int) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 7, metadata={"region": "sur"})
        seen, more = [], []
        for page in (1, 2, 3):
            body = client.get("/v2/teams", params={"metadata.region": "sur", "limit": 3, "page": page},
                              headers=acct.headers()).json()
            seen += [t["id"] for t in body["data"]]
            more.append(body["has_more"])
        assert more == [True, True, False] and len(set(seen)) == 7
        exact = client.get("/v2/teams", params={"metadata.region": "sur", "limit": 3, "page": 3},
                           headers=acct.headers()).json()
        assert exact["page"] == 3 and len(exact["data"]) == 1


@pytest.mark.skipif(DB_KIND != "postgres", reason="the estimate is PostgreSQL's")
def test_the_estimate_is_compiled_once_and_bound_on_every_call() -> None:
    cache: dict[object, object] = {}
    with get_engine(get_settings().db_url).connect() as conn:
        cached = conn.execution_options(compiled_cache=cache)
        rows = [cached.execute(pagination.Explain(select(Team.id).limit(n))).scalar_one()[0]["Plan"]["Plan Rows"]
                for n in (1, 7, 1)]
    assert rows == [1, 7, 1]  # each call's own parameter, through one compiled statement
    assert len(cache) == 1
