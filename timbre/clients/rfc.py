"""RFC (Registro Federal de Contribuyentes) syntax rules, as SAT defines them.

    persona moral   NNN YYMMDD HH D    12 characters
    persona física  NNNN YYMMDD HH D   13 characters

N: letters A-Z, Ñ or &; YYMMDD: a real calendar date (founding / birth); HH: homoclave,
two letters or digits; D: check digit, 0-9 or A, SAT's modulo-11 over the first 12
characters (morales padded with a leading space). The two generic RFCs, público en general
XAXX010101000 and extranjero XEXX010101000, are accepted as such (their last digit is not a
check digit). Only uppercase is valid: a lowercase RFC is reported, never silently fixed.

Syntax only: whether SAT has the RFC registered (LCO) is a different question.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GENERICO_EXTRANJERO",
    "GENERICO_NACIONAL",
    "INVALID_TAX_ID_MESSAGE",
    "RfcError",
    "RfcKind",
    "RfcResult",
    "check_digit",
    "is_valid_rfc",
    "validate_rfc",
]

RfcKind = Literal["fisica", "moral", "generico_nacional", "generico_extranjero"]

GENERICO_NACIONAL = "XAXX010101000"
GENERICO_EXTRANJERO = "XEXX010101000"
# Message of gigstack's error envelope for a bad tax_id; the rule messages go in `error`.
INVALID_TAX_ID_MESSAGE = "Invalid tax_id format"
LENGTH_MESSAGE = "RFC must be 12 or 13 characters"

# SAT's value table for the check digit: index = value. Ñ is 38, the padding space 37.
_DIGIT_VALUES = {char: value for value, char in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}
_NAME = re.compile(r"[A-Z&Ñ]+")
_HOMOCLAVE = re.compile(r"[A-Z0-9]{2}")
_DIGIT = re.compile(r"[0-9A]")
_DATE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True, slots=True)
class RfcError:
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class RfcResult:
    rfc: str
    kind: RfcKind | None
    errors: tuple[RfcError, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def persona(self) -> Literal["fisica", "moral"] | None:
        """Kind of person for SAT's física/moral columns; generic RFCs count as física."""
        if self.kind is None:
            return None
        return "moral" if self.kind == "moral" else "fisica"

    @property
    def is_generic(self) -> bool:
        return self.kind in ("generico_nacional", "generico_extranjero")


def check_digit(first_twelve: str) -> str:
    """SAT's check digit for an RFC without its last character (11 or 12 characters).

    Raises ValueError on characters outside SAT's table (lowercase included).
    """
    if len(first_twelve) not in (11, 12):
        raise ValueError("check_digit takes the RFC without its last character (11 or 12 characters)")
    padded = first_twelve.rjust(12)
    try:
        total = sum(_DIGIT_VALUES[char] * (13 - i) for i, char in enumerate(padded))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} cannot appear in an RFC") from None
    remainder = total % 11
    if remainder == 0:
        return "0"
    digit = 11 - remainder
    return "A" if digit == 10 else str(digit)


def _real_date(yymmdd: str) -> bool:
    """YYMMDD is a calendar date in 19YY or 20YY (the century is not encoded)."""
    if not _DATE.fullmatch(yymmdd):
        return False
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def validate_rfc(value: str) -> RfcResult:
    """Check ``value`` against SAT's RFC rules; every problem found is reported."""
    if value == GENERICO_NACIONAL:
        return RfcResult(value, "generico_nacional")
    if value == GENERICO_EXTRANJERO:
        return RfcResult(value, "generico_extranjero")

    errors: list[RfcError] = []
    if value != value.strip():
        errors.append(RfcError("rfc_whitespace", "RFC must not have spaces before or after it"))
    if any(char.islower() for char in value):
        errors.append(RfcError("rfc_lowercase", f"RFC must be uppercase; send {value.strip().upper()!r}"))
    rfc = value.strip().upper()
    if len(rfc) not in (12, 13):
        errors.append(RfcError("rfc_length", LENGTH_MESSAGE))
        return RfcResult(value, None, tuple(errors))

    name_length = len(rfc) - 9
    name, date, homoclave, digit = rfc[:name_length], rfc[name_length:-3], rfc[-3:-1], rfc[-1]
    kind: RfcKind = "moral" if name_length == 3 else "fisica"
    who = "a company (persona moral)" if kind == "moral" else "an individual (persona física)"
    if not _NAME.fullmatch(name):
        errors.append(
            RfcError(
                "rfc_name_part",
                f"The first {name_length} characters of the RFC of {who} must be letters (A-Z, Ñ or &)",
            )
        )
    if not _real_date(date):
        errors.append(
            RfcError(
                "rfc_date",
                f"Characters {name_length + 1}-{name_length + 6} of the RFC must be a real date "
                f"as YYMMDD; {date!r} is not",
            )
        )
    if not _HOMOCLAVE.fullmatch(homoclave) or not _DIGIT.fullmatch(digit):
        errors.append(
            RfcError(
                "rfc_homoclave",
                "The last 3 characters of the RFC (homoclave) must be 2 letters or digits followed by a digit or 'A'",
            )
        )
    elif all(error.rule in ("rfc_whitespace", "rfc_lowercase") for error in errors) and (
        check_digit(rfc[:-1]) != digit  # only meaningful once the rest is well formed
    ):
        errors.append(
            RfcError(
                "rfc_check_digit",
                "The RFC's last character does not match SAT's check digit for the rest; "
                "the RFC has a typo: copy it from the Constancia de Situación Fiscal",
            )
        )
    return RfcResult(value, None if errors else kind, tuple(errors))


def is_valid_rfc(value: str) -> bool:
    return validate_rfc(value).valid
