from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import create_account


def _make_teams(client: TestClient, headers: dict[str, str], n: int, **extra: Any) -> list[str]:
    ids = []
    for i in range(n):
        res = client.post("/v2/teams", json={"legal_name": f"Equipo {i:02d}", **extra}, headers=headers)
        assert res.status_code == 201, res.text
        ids.append(res.json()["data"]["id"])
    return ids


def _walk(client: TestClient, headers: dict[str, str], params: dict[str, Any]) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"next": cursor} if cursor else {})}
        body = client.get("/v2/teams", params=query, headers=headers).json()
        assert body["success"] is True and isinstance(body["data"], list)
        pages.append([t["id"] for t in body["data"]])
        if not body["has_more"]:
            assert body["next"] is None
            return pages
        cursor = body["next"]


class TestCursorPagination:
    def test_25_teams_walk_in_3_pages_without_repeat_or_gap(self, client: TestClient) -> None:
        acct = create_account()
        created = _make_teams(client, acct.headers(), 24) + [acct.team_id]
        first = client.get("/v2/teams", params={"limit": 10}, headers=acct.headers()).json()
        assert first["total_results"] == 25 and first["has_more"] is True and first["next"]
        pages = _walk(client, acct.headers(), {"limit": 10})
        assert [len(p) for p in pages] == [10, 10, 5]
        seen = [i for p in pages for i in p]
        assert len(seen) == len(set(seen)) == 25
        assert set(seen) == set(created)

    def test_inserts_while_walking_neither_repeat_nor_skip(self, client: TestClient) -> None:
        acct = create_account()
        before = set(_make_teams(client, acct.headers(), 14)) | {acct.team_id}
        body = client.get("/v2/teams", params={"limit": 5, "sort": "asc"}, headers=acct.headers()).json()
        seen = [t["id"] for t in body["data"]]
        cursor = body["next"]
        _make_teams(client, acct.headers(), 3)  # inserted mid-walk, after the cursor in ascending order
        while cursor:
            body = client.get("/v2/teams", params={"limit": 5, "sort": "asc", "next": cursor},
                              headers=acct.headers()).json()
            seen += [t["id"] for t in body["data"]]
            cursor = body["next"]
        assert len(seen) == len(set(seen))
        assert before <= set(seen)

    def test_order_by_name_ascending(self, client: TestClient) -> None:
        acct = create_account("ZZZ Master")
        _make_teams(client, acct.headers(), 12)
        pages = _walk(client, acct.headers(), {"limit": 5, "order_by": "name", "sort": "asc"})
        names = []
        for page in pages:
            for team_id in page:
                names.append(client.get(f"/v2/teams/{team_id}", headers=acct.headers()).json()["data"]["legal_name"])
        assert names == sorted(names)

    def test_bad_cursor_and_order_by_are_400(self, client: TestClient) -> None:
        acct = create_account()
        assert client.get("/v2/teams", params={"next": "garbage!"}, headers=acct.headers()).status_code == 400
        res = client.get("/v2/teams", params={"order_by": "password"}, headers=acct.headers())
        assert res.status_code == 400 and "order_by" in res.json()["error"]["message"]

    def test_limit_bounds_are_422_naming_the_field(self, client: TestClient) -> None:
        acct = create_account()
        for bad in ("0", "101", "ten"):
            res = client.get("/v2/teams", params={"limit": bad}, headers=acct.headers())
            assert res.status_code == 422
            assert res.json()["error"]["details"][0]["field"] == "limit"


class TestFilters:
    def test_created_filters_in_seconds_both_spellings(self, client: TestClient) -> None:
        acct = create_account()
        time.sleep(1.1)
        cut = int(time.time())
        _make_teams(client, acct.headers(), 2)
        for key in ("created_gte", "created[gte]"):
            body = client.get("/v2/teams", params={key: cut}, headers=acct.headers()).json()
            assert body["total_results"] == 2
        for key in ("created_lte", "created[lte]"):
            body = client.get("/v2/teams", params={key: cut - 1}, headers=acct.headers()).json()
            assert [t["id"] for t in body["data"]] == [acct.team_id]

    def test_metadata_filters_switch_to_page_pagination(self, client: TestClient) -> None:
        acct = create_account()
        _make_teams(client, acct.headers(), 3, metadata={"region": "norte"})
        _make_teams(client, acct.headers(), 2, metadata={"region": "sur"})
        for key in ("metadata.region", "metadata_region"):
            body = client.get("/v2/teams", params={key: "norte", "limit": 2}, headers=acct.headers()).json()
            assert body["total_results"] == 3 and len(body["data"]) == 2
            assert body["page"] == 1 and body["has_more"] is True
            page2 = client.get("/v2/teams", params={key: "norte", "limit": 2, "page": 2},
                               headers=acct.headers()).json()
            assert len(page2["data"]) == 1 and page2["has_more"] is False
            assert {t["metadata"]["region"] for t in body["data"] + page2["data"]} == {"norte"}
