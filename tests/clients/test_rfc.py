from __future__ import annotations

import pytest

from timbre.clients.rfc import (
    GENERICO_EXTRANJERO,
    GENERICO_NACIONAL,
    INVALID_TAX_ID_MESSAGE,
    check_digit,
    is_valid_rfc,
    validate_rfc,
)

# Real RFCs: SAT's test taxpayers (EKU9003173C9, XIQB891116QE4 and the others of SAT's
# test-certificate set), SAT's own RFC, and made-up ones whose check digit was computed with
# SAT's algorithm, covering Ñ, &, leap days and check digits 0 and A.
VALID_MORALES = [
    "EKU9003173C9",
    "SAT970701NN3",
    "IIA040805DZ4",
    "CTE950627K46",
    "H&E951128469",
    "ÑAÑ150101AB2",
    "&CO010203K78",
    "DAÑ100505PQ2",
    "CO&960704AA9",
    "AAA010101AA1",
    "XYZ221231AZ7",
    "TPR091130ADA",
]
VALID_FISICAS = [
    "XIQB891116QE4",
    "CACX7605101P8",
    "KAHO641101B39",
    "JUFA7608212V6",
    "GODE561231GR8",
    "MISC491214B86",
    "MUÑO800317T28",
    "AB&C990101XY9",
    "ÑOÑO000229ZZ5",
    "PEÑA750815H11",
    "GAPA000229F32",
    "LOAM4407025R8",
    "MAR&690909J80",
    "VECJ880326AGA",
]


class TestValidRfc:
    @pytest.mark.parametrize("rfc", VALID_MORALES)
    def test_persona_moral(self, rfc: str) -> None:
        result = validate_rfc(rfc)
        assert result.errors == ()
        assert result.kind == "moral"
        assert result.persona == "moral"
        assert result.valid
        assert is_valid_rfc(rfc)

    @pytest.mark.parametrize("rfc", VALID_FISICAS)
    def test_persona_fisica(self, rfc: str) -> None:
        result = validate_rfc(rfc)
        assert result.errors == ()
        assert result.kind == "fisica"
        assert result.persona == "fisica"

    def test_generic_rfcs_are_recognised_as_such(self) -> None:
        nacional, extranjero = validate_rfc(GENERICO_NACIONAL), validate_rfc(GENERICO_EXTRANJERO)
        assert (nacional.kind, nacional.valid, nacional.is_generic) == ("generico_nacional", True, True)
        assert (extranjero.kind, extranjero.valid, extranjero.is_generic) == ("generico_extranjero", True, True)
        # SAT treats the generic RFCs as personas físicas for régimen/uso compatibility.
        assert nacional.persona == extranjero.persona == "fisica"

    def test_generic_rfc_lookalikes_are_checked_normally(self) -> None:
        # The generic RFCs' last digit is not a check digit; a variant of them has no such pass.
        result = validate_rfc("XAXX010101001")
        assert [error.rule for error in result.errors] == ["rfc_check_digit"]


class TestCheckDigit:
    @pytest.mark.parametrize("rfc", VALID_MORALES + VALID_FISICAS)
    def test_matches_the_last_character(self, rfc: str) -> None:
        assert check_digit(rfc[:-1]) == rfc[-1]

    @pytest.mark.parametrize("rfc", ["EKU9003173C9", "XIQB891116QE4", "ÑAÑ150101AB2", "VECJ880326AGA"])
    def test_any_other_last_character_is_rejected(self, rfc: str) -> None:
        for other in "0123456789A":
            if other == rfc[-1]:
                continue
            result = validate_rfc(rfc[:-1] + other)
            assert [error.rule for error in result.errors] == ["rfc_check_digit"]
            assert result.kind is None

    def test_rejects_wrong_input_length_and_characters(self) -> None:
        with pytest.raises(ValueError, match="11 or 12"):
            check_digit("XIQB891116QE4")
        with pytest.raises(ValueError, match="cannot appear"):
            check_digit("eku9003173C")


INVALID = [
    # (value, rule expected among the errors)
    ("EKU900231AB1", "rfc_date"),  # 31 February
    ("XIQB990231QE4", "rfc_date"),
    ("EKU010229AB1", "rfc_date"),  # 2001 and 1901 are not leap years
    ("EKU901301AB1", "rfc_date"),  # month 13
    ("EKU900100AB1", "rfc_date"),  # day 0
    ("EKU9003173C8", "rfc_check_digit"),
    ("XIQB891116QE5", "rfc_check_digit"),
    ("SAT970701NN4", "rfc_check_digit"),
    ("GODE561231GR9", "rfc_check_digit"),
    ("EKU9003173C", "rfc_length"),
    ("XIQB891116QE44", "rfc_length"),
    ("", "rfc_length"),
    ("EKU", "rfc_length"),
    ("eku9003173C9", "rfc_lowercase"),
    ("xiqb891116qe4", "rfc_lowercase"),
    ("Xiqb891116QE4", "rfc_lowercase"),
    ("EK19003173C9", "rfc_name_part"),
    ("X1QB891116QE4", "rfc_name_part"),
    ("E-U9003173C9", "rfc_name_part"),
    ("EKU9003173-9", "rfc_homoclave"),
    ("EKU9003173CB", "rfc_homoclave"),  # the check digit is 0-9 or A
    ("EKU90031X3C9", "rfc_date"),
    (" EKU9003173C9", "rfc_whitespace"),
    ("EKU9003173C9 ", "rfc_whitespace"),
    ("EKU 9003173C9", "rfc_name_part"),
]


class TestInvalidRfc:
    @pytest.mark.parametrize(("value", "rule"), INVALID)
    def test_is_rejected_with_rule(self, value: str, rule: str) -> None:
        result = validate_rfc(value)
        assert not result.valid
        assert result.kind is None
        assert result.persona is None
        assert rule in [error.rule for error in result.errors]
        assert all(error.message for error in result.errors)

    def test_lowercase_is_reported_not_fixed(self) -> None:
        result = validate_rfc("eku9003173c9")
        assert result.rfc == "eku9003173c9"
        assert [error.rule for error in result.errors] == ["rfc_lowercase"]
        assert "EKU9003173C9" in result.errors[0].message

    def test_length_message_is_gigstacks(self) -> None:
        result = validate_rfc("ABC")
        assert [error.message for error in result.errors] == ["RFC must be 12 or 13 characters"]
        assert INVALID_TAX_ID_MESSAGE == "Invalid tax_id format"

    def test_reports_every_problem_at_once(self) -> None:
        result = validate_rfc("E1U991332-X9")
        assert {error.rule for error in result.errors} == {"rfc_name_part", "rfc_date", "rfc_homoclave"}

    def test_non_ascii_digits_are_not_dates(self) -> None:
        assert "rfc_date" in [error.rule for error in validate_rfc("EKU90031²3C9").errors]
