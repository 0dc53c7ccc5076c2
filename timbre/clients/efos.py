"""Parser for SAT's article 69-B list ("Listado completo 69-B", the EFOS list).

SAT publishes it as a CSV with a few title lines before the header row
(``No, RFC, Nombre del Contribuyente, Situación del contribuyente, <dates and official
notices>...``), usually in Windows-1252 but sometimes UTF-8 (with or without BOM). The parser
finds the header row by its columns, so it does not depend on how many title lines there are,
and yields one entry per taxpayer row.

Situations: Presunto (presumed to invoice simulated operations), Desvirtuado (disproved it),
Definitivo (confirmed), Sentencia Favorable (won in court). Presunto and Definitivo are the
adverse ones.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

__all__ = ["EfosEntry", "EfosParseError", "Situacion", "parse_69b"]


class Situacion(StrEnum):
    PRESUNTO = "Presunto"
    DESVIRTUADO = "Desvirtuado"
    DEFINITIVO = "Definitivo"
    SENTENCIA_FAVORABLE = "Sentencia Favorable"

    @property
    def is_adverse(self) -> bool:
        """The taxpayer is presumed or confirmed to invoice simulated operations."""
        return self in (Situacion.PRESUNTO, Situacion.DEFINITIVO)


@dataclass(frozen=True, slots=True)
class EfosEntry:
    rfc: str
    name: str
    situation: Situacion


class EfosParseError(ValueError):
    """The file is not a 69-B list (no header row) or has a row SAT's format does not allow."""


def _key(text: str) -> str:
    """Case-, accent- and space-insensitive form used to recognise headers and situations."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.lower().split())


_SITUACIONES = {_key(situacion.value): situacion for situacion in Situacion}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 is what SAT's exports use; latin-1 decodes any byte if cp1252 cannot.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _columns(header: list[str]) -> tuple[int, int, int] | None:
    keys = [_key(cell) for cell in header]
    rfc = next((i for i, key in enumerate(keys) if key == "rfc"), None)
    name = next((i for i, key in enumerate(keys) if key.startswith("nombre")), None)
    situation = next((i for i, key in enumerate(keys) if key.startswith("situacion")), None)
    if rfc is None or name is None or situation is None:
        return None
    return rfc, name, situation


def parse_69b(stream: IO[bytes] | IO[str]) -> Iterator[EfosEntry]:
    """Yield the taxpayers of a 69-B list CSV, given as a binary (any encoding) or text stream.

    Raises EfosParseError when no header row is found or a row has an unknown situation.
    """
    content = stream.read()
    text = _decode(content) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = None
    for header in reader:
        columns = _columns(header)
        if columns is not None:
            break
    if columns is None:
        raise EfosParseError("No header row with the columns RFC, Nombre and Situación del contribuyente")
    rfc_at, name_at, situation_at = columns
    width = max(columns) + 1
    for row in reader:
        if len(row) < width or not row[rfc_at].strip():
            continue  # blank lines and trailing notes
        label = row[situation_at]
        situation = _SITUACIONES.get(_key(label))
        if situation is None:
            raise EfosParseError(f"Line {reader.line_num}: unknown situation {label!r}")
        yield EfosEntry(rfc=row[rfc_at].strip().upper(), name=" ".join(row[name_at].split()), situation=situation)
