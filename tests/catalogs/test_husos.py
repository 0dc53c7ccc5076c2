"""Local time at a postal code: each of SAT's zones against the IANA database (an independent source of
the same law), hour by hour over two years, and at both edges of each summer-time change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from timbre.catalogs import husos, store

# One postal code per zone of c_CodigoPostal, and the IANA zone that keeps the same clock.
ZONES = {
    "Tiempo del Centro": ("06600", "America/Mexico_City"),
    "Tiempo del Centro en Frontera": ("87300", "America/Matamoros"),
    "Tiempo del Noroeste": ("22000", "America/Tijuana"),
    "Tiempo del Pacífico": ("80000", "America/Mazatlan"),
    "Tiempo del Sureste": ("77500", "America/Cancun"),
}


class TestZone:
    def test_every_zone_of_the_catalog_has_a_rule(self) -> None:
        named = {row["huso_horario"] for row in store.rows("c_CodigoPostal")}
        assert named == set(husos.zones()) == set(ZONES)

    @pytest.mark.parametrize("name", sorted(ZONES))
    def test_postal_code_names_its_zone(self, name: str) -> None:
        code, _ = ZONES[name]
        assert store.get("c_CodigoPostal", code)["huso_horario"] == name  # type: ignore[index]
        assert husos.zone(code).name == name

    def test_unknown_postal_code_is_central_time(self) -> None:
        assert husos.zone("00001").name == husos.zone(None).name == husos.CENTRO


class TestLocalNow:
    @pytest.mark.parametrize("name", sorted(ZONES))
    def test_hourly_over_two_years_matches_the_iana_zone(self, name: str) -> None:
        code, iana = ZONES[name]
        moment, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        while moment < end:
            expected = moment.astimezone(ZoneInfo(iana)).replace(tzinfo=None)
            assert husos.local_now(code, moment) == expected, moment
            moment += timedelta(hours=1)

    @pytest.mark.parametrize("name", ["Tiempo del Centro en Frontera", "Tiempo del Noroeste"])
    @pytest.mark.parametrize("change", [datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)])
    def test_each_minute_around_the_summer_time_changes(self, name: str, change: datetime) -> None:
        code, iana = ZONES[name]
        for minute in range(16 * 60):
            moment = change + timedelta(minutes=minute)
            assert husos.local_now(code, moment) == moment.astimezone(ZoneInfo(iana)).replace(tzinfo=None)

    @pytest.mark.parametrize("name", sorted(ZONES))
    def test_a_local_date_reads_back_as_its_instant(self, name: str) -> None:
        code, iana = ZONES[name]
        for month in range(1, 13):
            moment = datetime(2026, month, 15, 18, 30, tzinfo=UTC)
            local = husos.local_now(code, moment)
            assert local.replace(tzinfo=husos.zone(code)) == moment
            assert local.replace(tzinfo=ZoneInfo(iana)).utcoffset() == husos.zone(code).utcoffset(local)

    def test_now_is_whole_seconds_without_zone(self) -> None:
        now = husos.local_now("22000")
        assert now.tzinfo is None and now.microsecond == 0
