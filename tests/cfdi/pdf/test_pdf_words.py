from decimal import Decimal

import pytest

from timbre.cfdi.pdf.words import amount_to_words, number_to_words


class TestAmountToWords:
    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("0", "CERO PESOS 00/100 M.N."),
            ("1", "UN PESO 00/100 M.N."),
            ("21", "VEINTIÚN PESOS 00/100 M.N."),
            ("100", "CIEN PESOS 00/100 M.N."),
            ("101", "CIENTO UN PESOS 00/100 M.N."),
            ("1160.00", "UN MIL CIENTO SESENTA PESOS 00/100 M.N."),
            ("1000000", "UN MILLÓN DE PESOS 00/100 M.N."),
            ("1001116.16", "UN MILLÓN UN MIL CIENTO DIECISÉIS PESOS 16/100 M.N."),
        ],
    )
    def test_pesos(self, amount: str, expected: str) -> None:
        assert amount_to_words(Decimal(amount), "MXN") == expected

    @pytest.mark.parametrize(
        ("amount", "expected"),
        [
            ("16", "DIECISÉIS"),
            ("22", "VEINTIDÓS"),
            ("31", "TREINTA Y UN"),
            ("99", "NOVENTA Y NUEVE"),
            ("115", "CIENTO QUINCE"),
            ("500", "QUINIENTOS"),
            ("999", "NOVECIENTOS NOVENTA Y NUEVE"),
            ("21000", "VEINTIÚN MIL"),
            ("101000", "CIENTO UN MIL"),
            ("2000000", "DOS MILLONES DE"),
            ("1000000000", "UN MIL MILLONES DE"),
            ("2500000000000", "DOS BILLONES QUINIENTOS MIL MILLONES DE"),
        ],
    )
    def test_spanish_number_rules(self, amount: str, expected: str) -> None:
        assert amount_to_words(Decimal(amount), "MXN") == f"{expected} PESOS 00/100 M.N."

    def test_dollars(self) -> None:
        assert amount_to_words(Decimal("1160.50"), "USD") == "UN MIL CIENTO SESENTA DÓLARES 50/100 USD"
        assert amount_to_words(Decimal("1"), "usd") == "UN DÓLAR 00/100 USD"

    def test_euros(self) -> None:
        assert amount_to_words(Decimal("2.05"), "EUR") == "DOS EUROS 05/100 EUR"

    def test_currency_without_a_known_noun_uses_its_code(self) -> None:
        assert amount_to_words(Decimal("120.5"), "GBP") == "CIENTO VEINTE 50/100 GBP"

    @pytest.mark.parametrize(("amount", "cents"), [("0.125", "12"), ("0.135", "14"), ("0.999", "00")])
    def test_cents_round_half_even(self, amount: str, cents: str) -> None:
        words = amount_to_words(Decimal(amount), "MXN")
        assert words.endswith(f" {cents}/100 M.N.")
        assert words.startswith("UN PESO" if amount == "0.999" else "CERO PESOS")

    @pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity", "1000000000000000000"])
    def test_rejects_what_cannot_be_an_invoice_total(self, amount: str) -> None:
        with pytest.raises(ValueError, match="amount"):
            amount_to_words(Decimal(amount), "MXN")


class TestNumberToWords:
    def test_every_number_below_a_thousand_is_distinct_and_non_empty(self) -> None:
        spelled = [number_to_words(n) for n in range(1000)]
        assert all(spelled)
        assert len(set(spelled)) == 1000

    def test_thousands_reuse_the_words_below_a_thousand(self) -> None:
        for n in (2, 17, 45, 300, 999):
            assert number_to_words(n * 1000 + 7) == f"{number_to_words(n)} MIL SIETE"

    def test_rejects_out_of_range(self) -> None:
        with pytest.raises(ValueError, match="cannot spell"):
            number_to_words(-1)
