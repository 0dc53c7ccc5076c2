"""SAT's CFDI 4.0 and Pagos 2.0 error codes with Timbre's English explanations.

The data lives in `data/error_catalog.json`: one entry per code of SAT's *Matriz de errores CFDI
4.0* (2024-12-13) and *Matriz de errores CRP 2.0 Rev B*, with SAT's Spanish texts unchanged and
our English `explanation`, a `solution` written in terms of our API's request fields, the error
`type` of the "List CFDI errors" endpoint (invoice | receiver | sender | unknown), the request
`field` it concerns (`[]` marks a list: `items[].taxes[].rate`) and whether an API request can
trigger it at all (`api_triggerable`: False for seal/certificate rules, values Timbre always
writes itself, and nodes our API cannot produce).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, cast

from timbre.cfdi.retenciones.rules import REGLAS

ErrorType = Literal["invoice", "receiver", "sender", "unknown", "retention"]
ERROR_TYPES: tuple[ErrorType, ...] = ("invoice", "receiver", "sender", "unknown", "retention")


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    code: str  # as SAT's matrix spells it (CFDI40101, CFDI140223, CRP20201)
    code_alt: str | None  # the sequential spelling of CFDI1402xx codes (CFDI40223)
    matrix: Literal["CFDI40", "CRP20", "RET20"]
    node: str  # SAT's ELEMENTO column
    attribute: str  # SAT's ATRIBUTO column
    description: str  # SAT's DESCRIPCIÓN DE CÓDIGO DE ERROR, unchanged (Spanish)
    rule: str  # SAT's VALIDACIÓN column, unchanged (Spanish)
    explanation: str  # English: what it means
    solution: str  # English: how to fix the request
    type: ErrorType
    field: str | None  # our request field, None when no request field is involved
    api_triggerable: bool


@cache
def catalog() -> Sequence[ErrorInfo]:
    """Every error code, in SAT's order (CFDI 4.0 matrix first, then Pagos 2.0), then the Retenciones 2.0
    filling guide's rules (`timbre.cfdi.retenciones.rules`, type `retention`)."""
    raw = resources.files(__package__).joinpath("data/error_catalog.json").read_text(encoding="utf-8")
    entries = json.loads(raw)
    return tuple(
        ErrorInfo(
            code=e["code"],
            code_alt=e["code_alt"],
            matrix=e["matrix"],
            node=e["node"],
            attribute=e["attribute"],
            description=e["description"],
            rule=e["rule"],
            explanation=e["explanation"],
            solution=e["solution"],
            type=cast(ErrorType, e["type"]),
            field=e["field"],
            api_triggerable=bool(e["api_triggerable"]),
        )
        for e in entries
    ) + tuple(
        ErrorInfo(code=r.code, code_alt=None, matrix="RET20", node=r.node, attribute=r.attribute,
                  description=r.description, rule=r.description, explanation=r.explanation, solution=r.solution,
                  type="retention", field=r.field, api_triggerable=True)
        for r in REGLAS
    )


@cache
def _index() -> dict[str, ErrorInfo]:
    index: dict[str, ErrorInfo] = {}
    for info in catalog():
        index[info.code] = info
        if info.code_alt:
            # PACs may return either spelling (CFDI140223 or CFDI40223); accept both.
            index[info.code_alt] = info
    return index


def lookup(code: str) -> ErrorInfo | None:
    """The entry for a code in either spelling, case-insensitive; None if unknown."""
    return _index().get(code.strip().upper())


def _fold(value: str) -> str:
    """Lower-case without accents, so 'descripcion' finds 'descripción'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _haystack(info: ErrorInfo) -> str:
    return _fold(" ".join((info.code, info.code_alt or "", info.description, info.explanation, info.solution)))


def query(code: str | None = None, q: str | None = None, type: str | None = None) -> list[ErrorInfo]:
    """Entries matching all given filters: exact `code` (either spelling), the words of `q`
    (accent- and case-insensitive, searched in code, description, explanation and solution) and
    the error `type`."""
    if code:
        found = lookup(code)
        results = [found] if found else []
    else:
        results = list(catalog())
    if type:
        results = [i for i in results if i.type == type.strip().lower()]
    if q and (words := _fold(q).split()):
        results = [i for i in results if all(w in _haystack(i) for w in words)]
    return results
