"""Which catalog codes Timbre cannot check, and which it checks only in part (and why)."""

from __future__ import annotations

from .registry import implemented_codes

# Checked on the signed XML by `validate_envelope`, not by a registered rule.
ENVELOPE_CODES = frozenset({"CFDI40102", "CFDI40106"})

_LCO = "needs SAT's list of registered taxpayers (LCO), which only SAT and the PACs hold"

NOT_IMPLEMENTED: dict[str, str] = {
    "CFDI40128": "Confirmacion keys are issued and recorded by the PAC",
    "CFDI40129": "Confirmacion keys are issued and recorded by the PAC",
    "CFDI40138": _LCO,
    "CFDI40139": _LCO,
    "CFDI40142": "FacAtrAdquirente needs SAT's acquirer-invoicing service",
    "CFDI40144": _LCO,
    "CFDI40145": _LCO,
    "CFDI40148": _LCO,
    "CFDI40163": "c_ClaveProdServ's required-complement column is not in our catalog data",
    "CFDI40164": "c_ClaveProdServ's required-tax columns are not in our catalog data",
    "CFDI40190": _LCO,
}

# Implemented for what the document alone proves; the rest needs SAT's lists.
PARTIAL: dict[str, str] = {
    "CFDI40143": "a malformed RFC is reported; whether a well-formed RFC is registered needs the LCO",
    "CFDI40147": "a postal code missing from c_CodigoPostal is reported; the RFC's registered code needs the LCO",
    "CFDI40187": "a malformed third-party RFC is reported; l_LCO membership needs SAT's list",
    "CFDI40189": "the fixed name for EXT990101NI1 is checked; other names need the LCO",
    "CFDI40192": "a postal code missing from c_CodigoPostal is reported; the registered code needs the LCO",
    "CFDI40194": "pattern and year window are checked; customs office and broker patent need c_NumPedimentoAduana",
    "CFDI40199": "pattern and year window are checked; customs office and broker patent need c_NumPedimentoAduana",
    "CFDI140224": "runs only when the caller gives the issuer's LCO retention mark (RuleContext)",
    "CFDI140225": "runs only when the caller gives the issuer's LCO retention mark (RuleContext)",
    "CFDI40118": "runs only when the caller gives the day's exchange-rate limits (RuleContext)",
    "CRP20216": "runs only when the caller gives the day's exchange-rate limits (RuleContext)",
    "CRP20222": "a malformed RFC is reported; whether it is registered needs the LCO",
}


def checked_codes() -> frozenset[str]:
    """Every code some check can report (registered rules plus the envelope)."""
    return implemented_codes() | ENVELOPE_CODES
