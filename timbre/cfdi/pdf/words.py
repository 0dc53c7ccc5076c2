"""Amounts in Spanish words, as Mexican invoices print them ("importe con letra").

``amount_to_words(Decimal("1160.00"), "MXN")`` → ``"UN MIL CIENTO SESENTA PESOS 00/100 M.N."``.

Conventions, chosen once:
- upper case, with accents (``DIECISÉIS``, ``VEINTIÚN``);
- a lone thousand reads ``UN MIL`` (the invoice style that makes the amount harder to alter);
- ``UNO`` is shortened before a noun (``VEINTIÚN MIL``, ``CIENTO UN PESOS``), every currency
  noun we name being masculine;
- ``DE`` goes between round millions and the noun (``UN MILLÓN DE PESOS``);
- cents are always two digits over 100, rounded half-even like every other amount in Timbre.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

_UNITS = (
    "CERO", "UNO", "DOS", "TRES", "CUATRO", "CINCO", "SEIS", "SIETE", "OCHO", "NUEVE",
    "DIEZ", "ONCE", "DOCE", "TRECE", "CATORCE", "QUINCE", "DIECISÉIS", "DIECISIETE", "DIECIOCHO",
    "DIECINUEVE", "VEINTE", "VEINTIUNO", "VEINTIDÓS", "VEINTITRÉS", "VEINTICUATRO", "VEINTICINCO",
    "VEINTISÉIS", "VEINTISIETE", "VEINTIOCHO", "VEINTINUEVE",
)  # fmt: skip
_TENS = ("", "", "", "TREINTA", "CUARENTA", "CINCUENTA", "SESENTA", "SETENTA", "OCHENTA", "NOVENTA")
_HUNDREDS = (
    "", "CIENTO", "DOSCIENTOS", "TRESCIENTOS", "CUATROCIENTOS", "QUINIENTOS", "SEISCIENTOS",
    "SETECIENTOS", "OCHOCIENTOS", "NOVECIENTOS",
)  # fmt: skip

# ISO 4217 code -> (singular noun, plural noun, suffix after the cents).
_CURRENCIES: dict[str, tuple[str, str, str]] = {
    "MXN": ("PESO", "PESOS", "M.N."),
    "USD": ("DÓLAR", "DÓLARES", "USD"),
    "EUR": ("EURO", "EUROS", "EUR"),
}

_MAX = 10**18  # Anexo 20 allows 18 integer digits.
_CENT = Decimal("0.01")


def amount_to_words(amount: Decimal, currency: str = "MXN") -> str:
    """Spell ``amount`` in Spanish followed by its cents and currency, in upper case.

    Currencies without a known noun are written with their code only:
    ``CIENTO VEINTE 50/100 GBP``.
    """
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"cannot spell amount {amount!r}")
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    integer = int(rounded)
    if integer >= _MAX:
        raise ValueError(f"amount {amount} has more than 18 integer digits")
    cents = int((rounded - integer) * 100)
    words = number_to_words(integer)
    code = currency.upper()
    known = _CURRENCIES.get(code)
    if known is None:
        return f"{words} {cents:02d}/100 {code}"
    singular, plural, suffix = known
    if integer == 1:
        noun = singular
    elif integer % 1_000_000 == 0 and integer > 0:
        noun = f"DE {plural}"
    else:
        noun = plural
    return f"{words} {noun} {cents:02d}/100 {suffix}"


def number_to_words(number: int) -> str:
    """Spell a non-negative integer below 10**18 in Spanish, with ``UNO`` shortened to ``UN``."""
    if number < 0 or number >= _MAX:
        raise ValueError(f"cannot spell {number}")
    if number == 0:
        return _UNITS[0]
    parts: list[str] = []
    billions, rest = divmod(number, 10**12)
    millions, rest = divmod(rest, 10**6)
    if billions:
        parts.append("UN BILLÓN" if billions == 1 else f"{_below_million(billions)} BILLONES")
    if millions:
        parts.append("UN MILLÓN" if millions == 1 else f"{_below_million(millions)} MILLONES")
    if rest:
        parts.append(_below_million(rest))
    return " ".join(parts)


def _below_million(number: int) -> str:
    thousands, rest = divmod(number, 1000)
    parts: list[str] = []
    if thousands:
        parts.append(f"{_below_thousand(thousands)} MIL")
    if rest:
        parts.append(_below_thousand(rest))
    return " ".join(parts)


def _below_thousand(number: int) -> str:
    hundreds, rest = divmod(number, 100)
    parts: list[str] = []
    if hundreds:
        parts.append("CIEN" if number == 100 else _HUNDREDS[hundreds])
    if rest:
        parts.append(_below_hundred(rest))
    return " ".join(parts)


def _below_hundred(number: int) -> str:
    # Always the apocopated form: what follows is MIL, MILLONES or the currency noun.
    if number == 1:
        return "UN"
    if number == 21:
        return "VEINTIÚN"
    if number < 30:
        return _UNITS[number]
    tens, units = divmod(number, 10)
    if units == 0:
        return _TENS[tens]
    return f"{_TENS[tens]} Y {'UN' if units == 1 else _UNITS[units]}"
