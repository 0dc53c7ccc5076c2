"""Banxico's FIX rates, from the two places Banxico publishes them.

- **The series CSV** of its Sistema de Información Económica (SIE): a few quoted metadata lines
  (title, period, periodicity, unit...), then a header row `"Fecha","SF43718"[,"SF46410"...]` and
  one row per day, `dd/mm/yyyy` and the value (`N/E` where none was determined). Banxico writes it
  in Latin-1; UTF-8 is read too.
- **The SIE REST API** (`/SieAPIRest/service/v1/series/{ids}/datos/{start}/{end}`, the token in the
  `Bmx-Token` header): `{"bmx": {"series": [{"idSerie", "titulo", "datos": [{"fecha", "dato"}]}]}}`.

Only the series below are FIX rates in pesos per one unit of a currency; others are ignored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import requests

# Banxico series id -> c_Moneda code. SF43718: "Tipo de cambio pesos por dólar E.U.A., para solventar
# obligaciones denominadas en moneda extranjera, fecha de determinación (FIX)"; SF46410: pesos per euro.
SERIES: dict[str, str] = {"SF43718": "USD", "SF46410": "EUR"}
SIE_URL = "https://www.banxico.org.mx/SieAPIRest/service/v1/series"
MISSING = {"N/E", "", "-"}


class BanxicoError(Exception):
    """A file or an answer that is not Banxico's series format, or Banxico did not answer."""


@dataclass(frozen=True, slots=True)
class Rate:
    currency: str
    day: date
    rate: Decimal
    series: str


def _day(text: str) -> date:
    return datetime.strptime(text.strip(), "%d/%m/%Y").date()


def _value(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if cleaned in MISSING:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BanxicoError(f"{text!r} is not a rate") from None
    if not value.is_finite() or value <= 0:
        raise BanxicoError(f"{text!r} is not a positive rate")
    return value


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_csv(data: bytes | str) -> list[Rate]:
    """Every FIX rate of a SIE series CSV (one or more series). BanxicoError when it is not one."""
    rows = csv.reader(io.StringIO(_text(data), newline=""))
    columns: list[str | None] | None = None
    rates: list[Rate] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if columns is None:
            if cells and cells[0] == "Fecha" and len(cells) > 1 and all(c.startswith("S") for c in cells[1:]):
                columns = [SERIES.get(c) for c in cells[1:]]
                series_ids = cells[1:]
                if not any(columns):
                    raise BanxicoError(f"none of the series {', '.join(series_ids)} is a FIX rate Timbre knows "
                                       f"({', '.join(f'{k} ({v})' for k, v in SERIES.items())})")
            continue
        if not any(cells):
            continue
        try:
            day = _day(cells[0])
        except ValueError:
            raise BanxicoError(f"line {number}: {cells[0]!r} is not a dd/mm/yyyy date") from None
        for currency, series, cell in zip(columns, series_ids, cells[1:], strict=False):
            if currency is None:
                continue
            try:
                value = _value(cell)
            except BanxicoError as exc:
                raise BanxicoError(f"line {number}: {exc}") from None
            if value is not None:
                rates.append(Rate(currency, day, value, series))
    if columns is None:
        raise BanxicoError('no "Fecha","SF…" header row: not a Banxico SIE series CSV')
    return rates


def parse_sie(payload: Any) -> list[Rate]:
    """The FIX rates of a SIE API answer."""
    try:
        series = payload["bmx"]["series"]
        rates = []
        for entry in series:
            currency = SERIES.get(str(entry["idSerie"]))
            if currency is None:
                continue
            for point in entry.get("datos") or []:
                value = _value(str(point["dato"]))
                if value is not None:
                    rates.append(Rate(currency, _day(str(point["fecha"])), value, str(entry["idSerie"])))
        return rates
    except (KeyError, TypeError, ValueError) as exc:
        raise BanxicoError(f"not a SIE series answer: {exc!r}") from None


class SieClient:
    """Banxico's SIE API over `requests` (a session of the caller's: tests mount a recorded transport)."""

    def __init__(self, token: str, *, session: requests.Session | None = None, timeout: float = 20.0) -> None:
        self.token = token
        self.session = session or requests.Session()
        self.timeout = timeout

    def fix_rates(self, start: date, end: date, series: Iterable[str] = tuple(SERIES)) -> list[Rate]:
        url = f"{SIE_URL}/{','.join(series)}/datos/{start.isoformat()}/{end.isoformat()}"
        try:
            response = self.session.get(url, headers={"Bmx-Token": self.token, "Accept": "application/json"},
                                        timeout=self.timeout)
        except requests.RequestException as exc:
            raise BanxicoError(f"Banxico's SIE did not answer: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise BanxicoError(f"Banxico's SIE answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise BanxicoError("Banxico's SIE answered something that is not JSON") from None
        return parse_sie(payload)
