"""A set of SAT's XML schemas under `data/xsd/`, compiled once per process on first use and then shared by
every thread; the CFDI 4.0 (`xsd`) and Retenciones 2.0 (`retenciones.xsd`) validators are built on it."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "xsd"
MAX_ERRORS = 50


class SchemaSet:
    """The schemas of `imports` (namespace → location relative to `data/xsd/`), joined by one wrapper schema
    whose base URL is `data/xsd/<wrapper_name>`."""

    def __init__(self, imports: Mapping[str, str], wrapper_name: str) -> None:
        self._imports = dict(imports)
        self._base_url = str(SCHEMA_DIR / wrapper_name)
        self._schema: etree.XMLSchema | None = None
        self._lock = threading.Lock()

    def schema(self) -> etree.XMLSchema:
        """The compiled schema (compiled on first use, then shared by every thread)."""
        if self._schema is None:
            with self._lock:
                if self._schema is None:
                    self._schema = self._compile()
        return self._schema

    def _compile(self) -> etree.XMLSchema:
        imports = "".join(f'<xs:import namespace="{namespace}" schemaLocation="{location}"/>'
                          for namespace, location in self._imports.items())
        wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser=parser, base_url=self._base_url))

    def errors(self, root: etree._Element) -> list[str]:
        """The schema's errors of a parsed document (at most MAX_ERRORS; empty when valid)."""
        compiled = self.schema()
        if compiled.validate(root):
            return []
        return [f"line {error.line}: {error.message}" for error in list(compiled.error_log)[:MAX_ERRORS]]
