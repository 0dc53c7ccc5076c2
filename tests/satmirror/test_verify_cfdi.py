"""`POST /v2/tools/verify-cfdi`: the mirror's verification plus SAT's status, storing nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.cfdi.cfdi33_sample import cfdi33
from tests.invoices.conftest import Ready
from tests.satmirror.conftest import Taxpayer, stamp
from tests.satmirror.helpers import forge, issued_xml, mirror, synced_events

XML = {"Content-Type": "application/xml"}


def _verify(client: TestClient, ready: Ready, xml: bytes) -> dict[str, object]:
    res = client.post("/v2/tools/verify-cfdi", headers={**ready.headers, **XML}, content=xml)
    assert res.status_code == 200, res.text
    data: dict[str, object] = res.json()["data"]
    return data


class TestVerifyCfdi:
    def test_a_cfdi_stamped_here_is_genuine_and_vigente(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        uuid = stamp(a)["uuid"]
        data = _verify(client, b, issued_xml(uuid))
        assert data["uuid"] == uuid and data["verification"]["valid"] is True  # type: ignore[index]
        assert data["sat_status"]["state"] == "Vigente"  # type: ignore[index]
        assert mirror(b) == [] and synced_events(b.account.team_id) == 0  # nothing stored

    def test_a_forged_cfdi_is_flagged(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        data = _verify(client, a, forge(issued_xml(stamp(a)["uuid"])))
        verification = data["verification"]
        assert verification["valid"] is False and verification["seal"]["valid"] is False  # type: ignore[index]

    def test_a_3_3_cfdi_unknown_to_sat(self, client: TestClient, pair: tuple[Ready, Ready],
                                       taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        a, _b = pair
        data = _verify(client, a, cfdi33(taxpayers[0].csd))
        assert data["version"] == "3.3" and data["verification"]["valid"] is True  # type: ignore[index]
        assert data["sat_status"]["state"] == "No Encontrado"  # type: ignore[index]

    def test_what_is_not_a_stamped_cfdi_is_a_400(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        for body in (b"", b"not xml", b"<a/>", b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'):
            res = client.post("/v2/tools/verify-cfdi", headers={**a.headers, **XML}, content=body)
            assert res.status_code == 400 and res.json()["error"]["code"] == "invalid_file_format", res.text
