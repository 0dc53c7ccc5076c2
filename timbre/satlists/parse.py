"""Parsers for SAT's published taxpayer lists, in SAT's CSV formats.

- **69-B** ("Listado completo 69-B"): title lines, then `No, RFC, Nombre del Contribuyente, Situación del
  contribuyente, Número y fecha de oficio global de presunción SAT, Publicación página SAT presuntos, …`
  (Windows-1252 usually). One row per taxpayer; its situation (Presunto, Desvirtuado, Definitivo,
  Sentencia Favorable) says which list it is on. **69-B Bis** has the same layout; its title names the
  article ("Artículo 69-B Bis").
- **69** (one file per supuesto: créditos firmes, exigibles, no localizados, cancelados, condonados,
  sentencias, …): `RFC, RAZÓN SOCIAL, TIPO PERSONA, SUPUESTO, FECHAS DE PRIMERA PUBLICACION` and, in some
  files, `MONTO`, `FECHA DE PUBLICACIÓN (con monto de acuerdo a la Ley de Transparencia)`, `ENTIDAD
  FEDERATIVA`.

The header row is found by its columns (any number of title lines before it); encodings as
`clients.efos` (UTF-8 with or without BOM, else Windows-1252).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from timbre.clients.efos import EfosParseError, Situacion, _decode, _key

__all__ = ["Listed", "ParsedList", "SatListParseError", "parse"]
SatListParseError = EfosParseError
ARTICLE_69B_LISTS = {s.value: f"69b_{_key(s.value).replace(' ', '_')}" for s in Situacion}
_PLURAL = {"Presunto": "presuntos", "Desvirtuado": "desvirtuados", "Definitivo": "definitivos",
           "Sentencia Favorable": "sentencia favorable"}


@dataclass(frozen=True, slots=True)
class Listed:
    list_key: str
    rfc: str
    name: str
    situation: str
    person_type: str | None
    published: str | None
    details: dict[str, Any]


@dataclass
class ParsedList:
    article: str  # "69", "69-B" or "69-B Bis"
    title: str
    sha256: str
    entries: list[Listed] = field(default_factory=list)
    lists: set[str] = field(default_factory=set)  # the lists this file replaces


def slug(text: str) -> str:
    return "_".join(_key(text).replace("-", " ").split())


def _find(keys: list[str], *prefixes: str) -> int | None:
    return next((i for i, key in enumerate(keys) if any(key.startswith(p) for p in prefixes)), None)


def parse(raw: bytes) -> ParsedList:
    """A SAT list file; EfosParseError (a ValueError) when it is none of SAT's formats."""
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    titles: list[str] = []
    for header in reader:
        keys = [_key(cell) for cell in header]
        if "rfc" in keys and _find(keys, "situacion") is not None and _find(keys, "nombre") is not None:
            bis = any("69-b bis" in _key(t) for t in titles)
            return _parse_69b(reader, keys, titles, raw, bis)
        if "rfc" in keys and _find(keys, "supuesto") is not None:
            return _parse_69(reader, keys, titles, raw)
        if any(cell.strip() for cell in header):
            titles.append(" ".join(" ".join(header).split()))
        if len(titles) > 20:
            break
    raise EfosParseError("Not one of SAT's lists: no header row with RFC and Situación (69-B) or Supuesto (69)")


def _parse_69b(reader: Any, keys: list[str], titles: list[str], raw: bytes, bis: bool) -> ParsedList:
    article = "69-B Bis" if bis else "69-B"
    prefix = "69b_bis_" if bis else "69b_"
    rfc_at, name_at, situation_at = keys.index("rfc"), _find(keys, "nombre"), _find(keys, "situacion")
    assert name_at is not None and situation_at is not None
    published = {s: _find(keys, f"publicacion pagina sat {p}") for s, p in _PLURAL.items()}
    oficio = {s: _find(keys, f"numero y fecha de oficio global de {'presuncion' if s == 'Presunto' else p} sat",
                       f"numero y fecha de oficio global de contribuyentes que {p[:-1]}ron sat")
              for s, p in _PLURAL.items()}
    parsed = ParsedList(article, titles[-1] if titles else "", hashlib.sha256(raw).hexdigest())
    parsed.lists = {prefix + slug(s.value) for s in Situacion}
    width = max(rfc_at, name_at, situation_at) + 1
    known = {_key(s.value): s.value for s in Situacion}
    list_of = {s.value: prefix + slug(s.value) for s in Situacion}
    for row in reader:
        if len(row) < width or not row[rfc_at].strip():
            continue
        label = row[situation_at]
        situation = known.get(label.strip().lower()) or known.get(_key(label))
        if situation is None:
            raise EfosParseError(f"Line {reader.line_num}: unknown situation {row[situation_at]!r}")

        def cell(index: int | None, row: list[str] = row) -> str | None:
            return row[index].strip() or None if index is not None and index < len(row) else None

        parsed.entries.append(Listed(
            list_key=list_of[situation], rfc=row[rfc_at].strip().upper(), name=" ".join(row[name_at].split()),
            situation=situation, person_type=None, published=cell(published[situation]),
            details={k: v for k, v in (("oficio", cell(oficio[situation])),) if v}))
    return parsed


def _parse_69(reader: Any, keys: list[str], titles: list[str], raw: bytes) -> ParsedList:
    rfc_at, supuesto_at = keys.index("rfc"), _find(keys, "supuesto")
    name_at, type_at = _find(keys, "razon social", "nombre"), _find(keys, "tipo persona")
    first_at, amount_at = _find(keys, "fechas de primera publicacion", "fecha de primera publicacion"), _find(
        keys, "monto")
    state_at = _find(keys, "entidad federativa")
    assert supuesto_at is not None
    parsed = ParsedList("69", titles[-1] if titles else "", hashlib.sha256(raw).hexdigest())
    for row in reader:
        if len(row) <= max(rfc_at, supuesto_at) or not row[rfc_at].strip():
            continue

        def cell(index: int | None, row: list[str] = row) -> str | None:
            return row[index].strip() or None if index is not None and index < len(row) else None

        supuesto = " ".join(row[supuesto_at].split()).upper()
        key = "69_" + slug(supuesto)
        parsed.lists.add(key)
        person = (cell(type_at) or "").upper()[:1] or None
        parsed.entries.append(Listed(
            list_key=key, rfc=row[rfc_at].strip().upper(), name=" ".join((cell(name_at) or "").split()),
            situation=supuesto, person_type=person if person in ("F", "M") else None, published=cell(first_at),
            details={k: v for k, v in (("amount", cell(amount_at)), ("state", cell(state_at))) if v}))
    if not parsed.entries:
        raise EfosParseError("The 69 list has a header but no taxpayer rows")
    return parsed
