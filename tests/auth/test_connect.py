from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import bearer, create_account, create_key


def _child(client: TestClient, headers: dict[str, str], name: str = "Hija SA de CV") -> str:
    res = client.post("/v2/teams", json={"legal_name": name}, headers=headers)
    assert res.status_code == 201, res.text
    return str(res.json()["data"]["id"])


class TestConnect:
    def test_master_key_acts_on_a_team_of_its_billing_account(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        res = client.get("/v2/teams/integrations", params={"team": child}, headers=acct.headers())
        assert res.status_code == 200
        res = client.post("/v2/teams/" + child + "/series", params={"team": child},
                          json={"series": "B"}, headers=acct.headers())
        assert res.status_code == 201
        keys = client.get("/v2/api-keys", params={"team": child}, headers=acct.headers()).json()["data"]
        assert keys == []  # the child's keys, not the master's

    def test_team_of_another_billing_account_is_403(self, client: TestClient) -> None:
        mine, other = create_account(), create_account("Otra SA")
        res = client.get("/v2/teams/integrations", params={"team": other.team_id}, headers=mine.headers())
        assert res.status_code == 403
        body = res.json()
        assert body["message"] == "Access denied"
        assert body["error"]["message"] == "Team not in same billing account"
        res = client.get("/v2/teams/integrations", params={"team": "team_doesnotexist"}, headers=mine.headers())
        assert res.status_code == 403

    def test_team_param_on_writes_across_accounts_is_403(self, client: TestClient) -> None:
        mine, other = create_account(), create_account("Otra SA")
        res = client.post("/v2/api-keys", params={"team": other.team_id}, json={}, headers=mine.headers())
        assert res.status_code == 403

    def test_non_master_team_key_cannot_use_connect(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        child_key = create_key(child)
        res = client.get("/v2/teams/integrations", params={"team": acct.team_id}, headers=bearer(child_key))
        assert res.status_code == 403

    def test_child_key_lists_only_its_team(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        listed = client.get("/v2/teams", headers=bearer(create_key(child))).json()
        assert [t["id"] for t in listed["data"]] == [child]
        assert client.get(f"/v2/teams/{acct.team_id}", headers=bearer(create_key(child))).status_code == 404
