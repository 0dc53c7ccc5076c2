"""SAT's business rules for CFDI 4.0 and Pagos 2.0, and the error catalog behind them.

Pure: no web, no database. Callers build a satcfdi comprobante and a `RuleContext`, and get
`Violation`s carrying SAT's code and Spanish text, a precise English message, the request field
to fix and a hint. `catalog()/lookup()/query()` serve the "List CFDI errors" endpoint.
"""

from .catalog import ERROR_TYPES, ErrorInfo, ErrorType, catalog, lookup, query
from .context import RelatedCfdi, RuleContext, limits_from_reference
from .coverage import ENVELOPE_CODES, NOT_IMPLEMENTED, PARTIAL, checked_codes
from .envelope import MalformedXml, parse_strict, validate_envelope
from .registry import Violation, implemented_codes
from .validate import validate, validate_cfdi, validate_pagos, validate_xml

__all__ = [
    "ENVELOPE_CODES",
    "ERROR_TYPES",
    "NOT_IMPLEMENTED",
    "PARTIAL",
    "ErrorInfo",
    "ErrorType",
    "MalformedXml",
    "RelatedCfdi",
    "RuleContext",
    "Violation",
    "catalog",
    "checked_codes",
    "implemented_codes",
    "limits_from_reference",
    "lookup",
    "parse_strict",
    "query",
    "validate",
    "validate_cfdi",
    "validate_envelope",
    "validate_pagos",
    "validate_xml",
]
