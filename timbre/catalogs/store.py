"""SAT catalogs: lazy, process-wide, read-only lookups over the CSV files in ``data/``.

A catalog is named by its SAT name (``c_UsoCFDI``) or by its file stem for the other data
files (``cfdi40_error_matrix``). Each is parsed once per process on first use (``warm()``
loads them all at start-up) into a dict keyed by its first column, ``code``. The data is
immutable package data, so per-process caching is safe with any number of processes.

Rows are ``Mapping[str, str]`` by CSV header; empty cells are ``""``. SAT booleans are
``"Sí"``/``"No"``; ``valid_from``/``valid_to`` are ISO dates, an empty ``valid_to`` means
"still in force".
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

__all__ = [
    "Impuesto",
    "Persona",
    "Row",
    "UnknownCatalog",
    "catalog_names",
    "exists",
    "get",
    "in_force",
    "mexico_today",
    "moneda_decimales",
    "regimen_applies",
    "rows",
    "tasa_o_cuota_allowed",
    "uso_allows_regimen",
    "uso_applies",
    "warm",
]

Row = Mapping[str, str]
Persona = Literal["fisica", "moral"]
Impuesto = Literal["001", "002", "003"]

SI = "Sí"
_DATA = Path(__file__).resolve().parent / "data"
# CFDI dates are Mexico City wall-clock time; Mexico has had no DST since 2022, so a fixed
# offset is exact and avoids a tzdata dependency.
_MEXICO_TZ = datetime.timezone(datetime.timedelta(hours=-6), "America/Mexico_City")


class UnknownCatalog(LookupError):
    """No data file of that name, or the catalog has no ``code`` column for ``get()``."""


class _Row(Mapping[str, str]):
    """A read-only CSV row: its first cell, and the other cells as a tuple shared by every
    row with the same values (c_CodigoPostal's 95k rows have a few thousand distinct ones);
    the header index is shared by the whole catalog. A dict per row would cost three times
    the memory.
    """

    __slots__ = ("_first", "_index", "_rest")

    def __init__(self, index: Mapping[str, int], first: str, rest: tuple[str, ...]) -> None:
        self._index = index
        self._first = first
        self._rest = rest

    def __getitem__(self, key: str) -> str:
        position = self._index[key]
        return self._rest[position - 1] if position else self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


class _Catalog:
    __slots__ = ("by_code", "header", "rows")

    def __init__(self, header: tuple[str, ...], rows: list[_Row]) -> None:
        self.header = header
        self.rows = rows
        self.by_code: dict[str, _Row] | None = (
            {row["code"]: row for row in rows} if header and header[0] == "code" else None
        )


_cache: dict[str, _Catalog] = {}
_lock = threading.Lock()


def catalog_names() -> list[str]:
    """Every catalog available, sorted."""
    names = set()
    for entry in _DATA.iterdir():
        name = entry.name
        for suffix in (".csv.gz", ".csv"):
            if name.endswith(suffix):
                names.add(name.removesuffix(suffix))
    return sorted(names)


def _read(catalog: str) -> _Catalog:
    if not catalog or "/" in catalog or "\\" in catalog or catalog.startswith("."):
        raise UnknownCatalog(catalog)
    plain, packed = _DATA / f"{catalog}.csv", _DATA / f"{catalog}.csv.gz"
    if plain.is_file():
        text = plain.read_text(encoding="utf-8")
    elif packed.is_file():
        text = gzip.decompress(packed.read_bytes()).decode("utf-8")
    else:
        raise UnknownCatalog(catalog)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(next(reader, ()))
    index = {name: i for i, name in enumerate(header)}
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    rows = []
    for values in reader:
        if values:
            # sys.intern shares repeated cells (estado, huso_horario...) at C speed.
            rest = tuple(map(sys.intern, values[1:]))
            rows.append(_Row(index, values[0], shared.setdefault(rest, rest)))
    return _Catalog(header, rows)


def _catalog(catalog: str) -> _Catalog:
    loaded = _cache.get(catalog)
    if loaded is None:
        with _lock:
            loaded = _cache.get(catalog)
            if loaded is None:
                loaded = _cache[catalog] = _read(catalog)
    return loaded


def _by_code(catalog: str) -> dict[str, _Row]:
    by_code = _catalog(catalog).by_code
    if by_code is None:
        raise UnknownCatalog(f"{catalog} has no code column; use rows()")
    return by_code


def warm() -> None:
    """Load every catalog now (app start-up), so no request pays the parsing."""
    for name in catalog_names():
        _catalog(name)


def rows(catalog: str) -> Sequence[Row]:
    """All rows of ``catalog`` in file order."""
    return _catalog(catalog).rows


def get(catalog: str, code: str) -> Row | None:
    """The row whose ``code`` is exactly ``code`` (case-sensitive, leading zeros kept)."""
    return _by_code(catalog).get(code)


def exists(catalog: str, code: str) -> bool:
    return code in _by_code(catalog)


def mexico_today() -> datetime.date:
    return datetime.datetime.now(_MEXICO_TZ).date()


def _row_in_force(row: Row, on: datetime.date) -> bool:
    valid_from, valid_to = row.get("valid_from", ""), row.get("valid_to", "")
    if valid_from and on < datetime.date.fromisoformat(valid_from):
        return False
    return not (valid_to and on > datetime.date.fromisoformat(valid_to))


def in_force(catalog: str, code: str, on: datetime.date | None = None) -> bool:
    """The code exists and ``on`` (default: today in Mexico) lies within its validity.

    Catalogs without validity columns (c_ClaveProdServ, c_CodigoPostal...) are in force
    whenever the code exists. ``valid_to`` is inclusive.
    """
    row = get(catalog, code)
    return row is not None and _row_in_force(row, on or mexico_today())


# -- typed helpers over SAT's compatibility columns -------------------------------------


def regimen_applies(code: str, persona: Persona) -> bool:
    """c_RegimenFiscal says régimen ``code`` applies to that kind of person."""
    row = get("c_RegimenFiscal", code)
    return row is not None and row[f"applies_{persona}"] == SI


def uso_applies(uso: str, persona: Persona) -> bool:
    """c_UsoCFDI says use ``uso`` applies to that kind of person."""
    row = get("c_UsoCFDI", uso)
    return row is not None and row[f"applies_{persona}"] == SI


def uso_allows_regimen(uso: str, regimen: str) -> bool:
    """c_UsoCFDI's *Régimen Fiscal Receptor* column lists ``regimen`` for ``uso``."""
    row = get("c_UsoCFDI", uso)
    return row is not None and regimen in row["regimenes_receptor"].split(";")


def moneda_decimales(code: str) -> int:
    """Decimal places SAT allows for amounts in currency ``code``. KeyError if unknown."""
    row = get("c_Moneda", code)
    if row is None:
        raise KeyError(code)
    return int(row["decimales"])


# c_TasaOCuota names taxes, not c_Impuesto codes; SAT labels IVA at 8% (border stimulus)
# "IVA Crédito aplicado del 50%".
_IMPUESTO_NOMBRES: dict[str, tuple[str, ...]] = {
    "001": ("ISR",),
    "002": ("IVA", "IVA Crédito aplicado del 50%"),
    "003": ("IEPS",),
}


class _Tasa(NamedTuple):
    nombre: str
    factor: str
    traslado: bool
    retencion: bool
    fijo: bool
    low: Decimal
    high: Decimal
    row: Row


@cache
def _tasas() -> tuple[_Tasa, ...]:
    return tuple(
        _Tasa(
            nombre=row["impuesto"],
            factor=row["factor"],
            traslado=row["traslado"] == SI,
            retencion=row["retencion"] == SI,
            fijo=row["rango_o_fijo"] == "Fijo",
            low=Decimal(row["min"] or row["max"]),
            high=Decimal(row["max"]),
            row=row,
        )
        for row in rows("c_TasaOCuota")
    )


def tasa_o_cuota_allowed(
    impuesto: Impuesto,
    factor: str,
    value: Decimal,
    traslado: bool,
    on: datetime.date | None = None,
) -> bool:
    """``value`` is a valid TasaOCuota for that tax, factor and direction on date ``on``.

    ``Fijo`` rows allow exactly their value (SAT keeps it in ``max``); ``Rango`` rows allow
    ``min <= value <= max``. ``traslado=False`` means retención. Factor ``Exento`` never
    carries a TasaOCuota, so it is never allowed.
    """
    names = _IMPUESTO_NOMBRES.get(impuesto, ())
    day = on or mexico_today()
    for tasa in _tasas():
        if tasa.nombre not in names or tasa.factor != factor:
            continue
        if not (tasa.traslado if traslado else tasa.retencion):
            continue
        if not _row_in_force(tasa.row, day):
            continue
        if (value == tasa.high) if tasa.fijo else (tasa.low <= value <= tasa.high):
            return True
    return False
