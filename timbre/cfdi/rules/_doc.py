"""A read-only view of the comprobante with the values most rules need, computed once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar

from ...catalogs import store
from ._values import Node, as_datetime, child, nodes, text
from .context import RuleContext

EMPTY: Node = {}
T = TypeVar("T")


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def complements(value: object) -> dict[str, list[Node]]:
    """Complemento as {local name: [nodes]}, from any shape satcfdi uses.

    Built documents hold the complement object itself (a CFDI whose `tag` is the qualified
    name) or a list of them; parsed documents and our builder hold a dict keyed by local name.
    """
    found: dict[str, list[Node]] = {}

    def add(name: str, item: object) -> None:
        found.setdefault(name, []).extend(nodes(item) or ([item] if isinstance(item, Mapping) else []))

    items = value if isinstance(value, list | tuple) else [value]
    for item in items:
        tag = getattr(item, "tag", None)
        if isinstance(tag, str) and isinstance(item, Mapping):
            add(_local_name(tag), item)
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                sub_tag = getattr(sub, "tag", None)
                add(_local_name(sub_tag) if isinstance(sub_tag, str) else str(key), sub)
    return found


class Doc:
    """The comprobante plus derived facts (type, currency decimals, issue date)."""

    def __init__(self, raw: Mapping[str, Any], ctx: RuleContext) -> None:
        self.raw = raw
        self.ctx = ctx
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()` once per document: views many rules share (e.g. the paid invoices)."""
        if key not in self._memo:
            self._memo[key] = compute()
        result: T = self._memo[key]
        return result

    def get(self, key: str) -> Any:
        return self.raw.get(key)

    @cached_property
    def tipo(self) -> str | None:
        return text(self.raw.get("TipoDeComprobante"))

    @cached_property
    def moneda(self) -> str | None:
        return text(self.raw.get("Moneda"))

    @cached_property
    def currency_decimals(self) -> int | None:
        """Decimals c_Moneda allows for Moneda; None when the currency is unknown."""
        return currency_decimals(self.moneda)

    @cached_property
    def fecha(self) -> datetime | None:
        return as_datetime(self.raw.get("Fecha"))

    @cached_property
    def on(self) -> date:
        """The date catalog validity is judged on: the issue date, else today."""
        return self.fecha.date() if self.fecha else self.ctx.now.date()

    @cached_property
    def emisor(self) -> Node:
        return child(self.raw, "Emisor") or EMPTY

    @cached_property
    def receptor(self) -> Node:
        return child(self.raw, "Receptor") or EMPTY

    @cached_property
    def conceptos(self) -> list[Node]:
        value = self.raw.get("Conceptos")
        # Parsed XML may keep the Conceptos wrapper: {"Concepto": [...]}.
        if isinstance(value, Mapping) and "Concepto" in value:
            value = value["Concepto"]
        return nodes(value)

    @cached_property
    def impuestos(self) -> Node | None:
        return child(self.raw, "Impuestos")

    @cached_property
    def complementos(self) -> dict[str, list[Node]]:
        return complements(self.raw.get("Complemento"))

    def has_complement(self, name: str) -> bool:
        return bool(self.complementos.get(name))

    @cached_property
    def pagos(self) -> Node | None:
        found = self.complementos.get("Pagos")
        return found[0] if found else None

    def tax_field(self, concept: int, kind: str, index: int, attribute: str) -> str:
        """The request field of a concept's tax (see RuleContext.tax_field)."""
        if self.ctx.tax_field is not None:
            base = self.ctx.tax_field(concept, kind, index)
        else:
            impuestos = child(self.conceptos[concept], "Impuestos") if concept < len(self.conceptos) else None
            offset = len(nodes(impuestos.get("Traslados"))) if impuestos and kind == "Retenciones" else 0
            base = f"items[{concept}].taxes[{offset + index}]"
        return f"{base}.{attribute}" if attribute else base


def currency_decimals(moneda: str | None) -> int | None:
    if moneda is None or not store.exists("c_Moneda", moneda):
        return None
    return store.moneda_decimales(moneda)
