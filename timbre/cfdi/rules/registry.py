"""The rule registry: each check is a small function registered under its SAT error code.

A check receives the document view and the context and yields `Finding`s (a specific English
message plus the request field and SAT location); the runner turns them into `Violation`s with
SAT's Spanish text and our fix hint from the error catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from ._doc import Doc
from .catalog import lookup
from .context import RuleContext

Scope = Literal["cfdi", "pagos"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken SAT rule. `message_es` is SAT's text, `message_en` says what exactly is wrong,
    `field` is our request field (e.g. `items[0].taxes[1].rate`), `hint` how to fix it and
    `location` the place in the CFDI (e.g. `Conceptos[0].Impuestos.Traslados[1].TasaOCuota`)."""

    code: str
    message_es: str
    message_en: str
    field: str | None
    hint: str
    location: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    message: str
    field: str | None = None  # None: the catalog's generic field
    location: str = ""


Check = Callable[[Doc, RuleContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    scope: Scope
    check: Check


_RULES: list[Rule] = []


def rule(code: str, scope: Scope = "cfdi") -> Callable[[Check], Check]:
    """Register `check` as the implementation (or one of them) of SAT error `code`."""
    if lookup(code) is None:
        raise ValueError(f"{code} is not in the error catalog")

    def register(check: Check) -> Check:
        _RULES.append(Rule(code, scope, check))
        return check

    return register


def rules(scope: Scope | None = None) -> list[Rule]:
    return [r for r in _RULES if scope is None or r.scope == scope]


def _by_scope(scope: Scope) -> list[Rule]:
    """`rules(scope)`, kept until another rule registers (they all do at import time)."""
    cached = _SCOPED.get(scope)
    if cached is None or cached[0] != len(_RULES):
        cached = _SCOPED[scope] = (len(_RULES), rules(scope))
    return cached[1]


_SCOPED: dict[Scope, tuple[int, list[Rule]]] = {}


def implemented_codes(scope: Scope | None = None) -> frozenset[str]:
    return frozenset(r.code for r in rules(scope))


def violation(code: str, finding: Finding) -> Violation:
    info = lookup(code)
    assert info is not None  # checked at registration
    return Violation(
        code=info.code,
        message_es=info.description,
        message_en=finding.message,
        field=finding.field if finding.field is not None else info.field,
        hint=info.solution,
        location=finding.location,
    )


def run(scope: Scope, doc: Doc, ctx: RuleContext) -> list[Violation]:
    found: list[Violation] = []
    for registered in _by_scope(scope):
        try:
            for finding in registered.check(doc, ctx):
                found.append(violation(registered.code, finding))
        except (ArithmeticError, TypeError, ValueError, KeyError, AttributeError) as exc:
            # A value so malformed that a check cannot even read it is still bad input, not a
            # crash: report it as SAT's unclassified error, naming the rule that tripped.
            fallback = "CRP20999" if scope == "pagos" else "CFDI40999"
            message = f"Rule {registered.code} could not evaluate the document: {type(exc).__name__}: {exc}"
            found.append(violation(fallback, Finding(message)))
    return found
