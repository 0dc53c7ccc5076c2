"""Local time at a postal code: the time zone and daylight-saving rule c_CodigoPostal gives it.

SAT's c_CodigoPostal names each code's *huso horario* and, per row, the zone's summer and winter
offsets and the month, Sunday and hour each starts. Every row of a zone carries the same rule, so
`data/c_HusoHorario.csv` keeps it once per zone (SAT's column names and wording). Since the
Ley de los Sistemas de Horario (October 2022) only the northern border zones keep summer time,
the United States' rule (second Sunday of March to the first Sunday of November, at 02:00).

CFDI dates (Fecha, FechaPago, the retentions' FechaExp) are the wall clock of the place of
issue (CFDI40101): `local_now(codigo_postal)` gives it; `zone(codigo_postal)` is the tzinfo to
read such a date back as an instant. An unknown postal code is read as Tiempo del Centro (SAT
refuses the code itself, CFDI40126). The zones are built once per process from package data.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache

from timbre.catalogs import store

__all__ = ["CENTRO", "HusoHorario", "local_now", "zone", "zones"]

CENTRO = "Tiempo del Centro"
_MESES = {name: number for number, name in enumerate(
    ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre", "Octubre",
     "Noviembre", "Diciembre"), start=1)}
_ORDINALES = {"Primer": 1, "Segundo": 2, "Tercer": 3, "Cuarto": 4, "Último": -1}
_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class _Cambio:
    """When a period starts: month, the nth Sunday (-1 the last), local hour (SAT's columns)."""

    mes: int
    domingo: int
    hora: timedelta

    def local_start(self, year: int) -> datetime:
        weeks = calendar.monthcalendar(year, self.mes)
        sundays = [week[calendar.SUNDAY] for week in weeks if week[calendar.SUNDAY]]
        return datetime(year, self.mes, sundays[self.domingo if self.domingo < 0 else self.domingo - 1]) + self.hora

    @classmethod
    def parse(cls, mes: str, dia: str, hora: str) -> _Cambio:
        hours, _, minutes = hora.partition(":")
        return cls(_MESES[mes.strip().capitalize()], _ORDINALES[dia.split()[0].capitalize()],
                   timedelta(hours=int(hours), minutes=int(minutes or 0)))


class HusoHorario(tzinfo):
    """One of SAT's time zones: a standard (winter) offset and an optional summer period."""

    def __init__(self, name: str, invierno: timedelta, verano: timedelta | None = None,
                 inicio_verano: _Cambio | None = None, inicio_invierno: _Cambio | None = None) -> None:
        self.name, self.invierno, self.verano = name, invierno, verano
        self.inicio_verano, self.inicio_invierno = inicio_verano, inicio_invierno
        # Each year's summer period in local wall-clock time, computed once (pure data: safe to share).
        self._summers: dict[int, tuple[datetime, datetime]] = {}

    def _summer(self, year: int) -> tuple[datetime, datetime]:
        summer = self._summers.get(year)
        if summer is None:
            assert self.inicio_verano is not None and self.inicio_invierno is not None
            summer = self._summers[year] = (self.inicio_verano.local_start(year),
                                            self.inicio_invierno.local_start(year))
        return summer

    def __repr__(self) -> str:
        return f"HusoHorario({self.name!r})"

    def _summer_local(self, wall: datetime) -> bool:
        """Whether a wall-clock time falls in summer time (both transitions read on the clock in force)."""
        if self.inicio_verano is None or self.inicio_invierno is None:
            return False
        naive = wall.replace(tzinfo=None)
        starts, ends = self._summer(naive.year)
        return starts <= naive < ends

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None or self.verano is None or not self._summer_local(dt):
            return self.invierno
        return self.verano

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - self.invierno

    def tzname(self, dt: datetime | None) -> str:
        return self.name

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        if self.verano is None or self.inicio_verano is None or self.inicio_invierno is None:
            return (utc + self.invierno).replace(tzinfo=self)
        # Summer starts at its hour of winter time and ends at its hour of summer time.
        starts, ends = self._summer(utc.year)
        offset = self.verano if starts - self.invierno <= utc < ends - self.verano else self.invierno
        return (utc + offset).replace(tzinfo=self)


def _hours(value: str) -> timedelta:
    return timedelta(hours=int(value))


@cache
def zones() -> dict[str, HusoHorario]:
    """Every zone of c_HusoHorario by SAT's name, built once."""
    built = {}
    for row in store.rows("c_HusoHorario"):
        name = row["code"]
        if row["mes_inicio_horario_verano"]:
            built[name] = HusoHorario(
                name, _hours(row["diferencia_horaria_invierno"]), _hours(row["diferencia_horaria_verano"]),
                _Cambio.parse(row["mes_inicio_horario_verano"], row["dia_inicio_horario_verano"],
                              row["hora_inicio_horario_verano"]),
                _Cambio.parse(row["mes_inicio_horario_invierno"], row["dia_inicio_horario_invierno"],
                              row["hora_inicio_horario_invierno"]))
        else:
            built[name] = HusoHorario(name, _hours(row["diferencia_horaria_invierno"]))
    return built


def zone(codigo_postal: str | None) -> HusoHorario:
    """The zone c_CodigoPostal gives `codigo_postal` (Tiempo del Centro when unknown)."""
    row = store.get("c_CodigoPostal", codigo_postal) if codigo_postal else None
    table = zones()
    return table.get(row["huso_horario"], table[CENTRO]) if row is not None else table[CENTRO]


def local_now(codigo_postal: str | None, now: datetime | None = None) -> datetime:
    """The wall clock at `codigo_postal` (naive, whole seconds), as CFDI dates are written.
    `now` (aware) defaults to the current instant."""
    return (now or datetime.now(UTC)).astimezone(zone(codigo_postal)).replace(tzinfo=None, microsecond=0)


def local_today(codigo_postal: str | None) -> date:
    return local_now(codigo_postal).date()
