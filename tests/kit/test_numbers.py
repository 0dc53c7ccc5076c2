"""`number()`: an exact decimal as the JSON number gigstack shows, the correctly rounded nearest float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from timbre.kit.numbers import number

VALUES = ["0", "0.07", "1160", "1160.000000", "0.160000", "-0.01", "1E+2", "123456789012345678.123456",
          "0.1234567890123456789", "99999999999999999999.999999"]


class TestNumber:
    @pytest.mark.parametrize("text", VALUES)
    def test_a_decimal_or_its_text_is_its_nearest_float(self, text: str) -> None:
        exact = float(Decimal(text))
        assert number(Decimal(text)) == exact and number(text) == exact
        assert repr(number(text)) == repr(exact)

    def test_ints_floats_and_none(self) -> None:
        assert (number(3), number(0.07), number(None)) == (3.0, 0.07, None)
        assert number(10**30) == float(Decimal(10**30))
