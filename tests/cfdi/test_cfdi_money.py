from decimal import Decimal as D

import pytest

from timbre.cfdi import money


class TestRoundMoney:
    def test_ties_go_to_the_even_digit(self) -> None:
        assert money.round_money(D("0.125"), 2) == D("0.12")
        assert money.round_money(D("0.135"), 2) == D("0.14")

    def test_writes_the_currency_decimals(self) -> None:
        assert str(money.round_money(D("1000"), 2)) == "1000.00"
        assert str(money.round_money(D("3703.5"), 0)) == "3704"

    def test_rate_has_six_decimals(self) -> None:
        assert str(money.round_rate(D("0.16"))) == "0.160000"


class TestToDecimal:
    def test_refuses_floats(self) -> None:
        with pytest.raises(TypeError):
            money.to_decimal(0.1)  # type: ignore[arg-type]

    def test_accepts_strings_and_ints(self) -> None:
        assert money.to_decimal("1.50") == D("1.50")
        assert money.to_decimal(3) == D(3)

    @pytest.mark.parametrize("value", ["abc", "NaN", "Infinity"])
    def test_refuses_non_finite(self, value: str) -> None:
        with pytest.raises(ValueError, match="number"):
            money.to_decimal(value)


class TestBounds:
    def test_tax_bounds_follow_anexo_20(self) -> None:
        # (258.59 -/+ 0.005) * 0.16 = 41.3736 .. 41.3752
        assert money.tax_bounds(D("258.59"), D("0.160000"), 2) == (D("41.37"), D("41.38"))

    def test_importe_bounds_use_the_decimals_written(self) -> None:
        # 14.155 * 13.655 = 193.286525 (truncated), 14.165 * 13.665 = 193.564725 (rounded up)
        assert money.importe_bounds(D("14.16"), D("13.66"), 2) == (D("193.28"), D("193.57"))

    def test_decimals_of(self) -> None:
        assert money.decimals_of(D("1.50")) == 2
        assert money.decimals_of(D("10")) == 0
