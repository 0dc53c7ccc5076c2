"""Which SAT codes Timbre checks: all but a short, explicit list, each with its reason."""

from __future__ import annotations

import pytest

from timbre.cfdi.rules import NOT_IMPLEMENTED, PARTIAL, catalog, checked_codes
from timbre.cfdi.rules.registry import rule

# Only SAT and the PACs can answer these (SAT's taxpayer list, confirmation keys), or our catalog
# data lacks the column the rule reads.
EXPECTED_NOT_IMPLEMENTED = {
    "CFDI40128": "confirmation keys are the PAC's",
    "CFDI40129": "confirmation keys are the PAC's",
    "CFDI40138": "issuer in SAT's taxpayer list",
    "CFDI40139": "issuer's name as SAT has it",
    "CFDI40142": "SAT's acquirer-invoicing service",
    "CFDI40144": "receiver in SAT's taxpayer list",
    "CFDI40145": "receiver's name as SAT has it",
    "CFDI40148": "receiver's postal code as SAT has it",
    "CFDI40163": "c_ClaveProdServ complement column missing",
    "CFDI40164": "c_ClaveProdServ tax columns missing",
    "CFDI40190": "third party's name as SAT has it",
}


def test_not_implemented_list_is_explicit_and_short() -> None:
    assert set(NOT_IMPLEMENTED) == set(EXPECTED_NOT_IMPLEMENTED)
    assert all(reason.strip() for reason in NOT_IMPLEMENTED.values())


def test_every_other_code_is_checked() -> None:
    every = {i.code for i in catalog() if i.matrix != "RET20"}  # retention rules: timbre.cfdi.retenciones.rules
    checked = checked_codes()
    assert checked <= every
    assert checked.isdisjoint(NOT_IMPLEMENTED)
    assert every - checked == set(NOT_IMPLEMENTED)
    assert len(checked) == 220


def test_partial_rules_are_checked() -> None:
    assert set(PARTIAL) <= checked_codes()


def test_registering_an_unknown_code_fails() -> None:
    with pytest.raises(ValueError, match="not in the error catalog"):
        rule("CFDI49999")
