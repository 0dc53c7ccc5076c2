"""The tax engine against hand-computed amounts (the seed's worked examples and the usual cases)."""

from decimal import Decimal as D

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from timbre.cfdi import money, taxes
from timbre.cfdi.taxes import Item, Tax, TaxInputError

IVA16 = Tax("IVA", D("0.16"))


def line(base: str, impuesto: str, factor: str, tasa: str | None, importe: str | None) -> taxes.TaxLine:
    return taxes.TaxLine(
        D(base), impuesto, factor, None if tasa is None else D(tasa), None if importe is None else D(importe)
    )


class TestSeedExamples:
    def test_multi_item_pue(self) -> None:
        doc = taxes.compute([Item(D(10), D(1000), taxes=[IVA16]), Item(D(1), D(5000), taxes=[IVA16])], 2)

        first, second = doc.conceptos
        assert (first.importe, first.valor_unitario, first.objeto_imp) == (D("10000.00"), D("1000.00"), "02")
        assert first.traslados == (line("10000.00", "002", "Tasa", "0.160000", "1600.00"),)
        assert second.traslados == (line("5000.00", "002", "Tasa", "0.160000", "800.00"),)
        assert doc.traslados == (taxes.TrasladoTotal(D("15000.00"), "002", "Tasa", D("0.160000"), D("2400.00")),)
        assert (doc.subtotal, doc.descuento, doc.total) == (D("15000.00"), None, D("17400.00"))
        assert (doc.total_impuestos_trasladados, doc.total_impuestos_retenidos) == (D("2400.00"), None)
        assert doc.retenciones == ()

    def test_iva_with_isr_and_two_thirds_iva_withheld(self) -> None:
        item = Item(D(1), D(10000), taxes=[
            IVA16, Tax("ISR", D("0.1"), withholding=True), Tax("IVA", D("0.106667"), withholding=True),
        ])
        doc = taxes.compute([item], 2)

        (concepto,) = doc.conceptos
        assert concepto.traslados == (line("10000.00", "002", "Tasa", "0.160000", "1600.00"),)
        assert concepto.retenciones == (
            line("10000.00", "001", "Tasa", "0.100000", "1000.00"),
            line("10000.00", "002", "Tasa", "0.106667", "1066.67"),  # 10000 * 0.106667 = 1066.67
        )
        # Retenciones are grouped by Impuesto only.
        assert doc.retenciones == (
            taxes.RetencionTotal("001", D("1000.00")),
            taxes.RetencionTotal("002", D("1066.67")),
        )
        assert doc.total_impuestos_retenidos == D("2066.67")
        assert doc.total == D("9533.33")  # 10000 + 1600 - 1000 - 1066.67

    def test_ppd_large_project(self) -> None:
        doc = taxes.compute([Item(D(1), D(100000), taxes=[IVA16])], 2)
        assert (doc.subtotal, doc.total_impuestos_trasladados, doc.total) == (
            D("100000.00"), D("16000.00"), D("116000.00"),
        )

    def test_global_invoice_of_the_period(self) -> None:
        doc = taxes.compute([Item(D(1), D(50000), taxes=[IVA16])], 2)
        assert doc.total == D("58000.00")


class TestInclusivePrices:
    def test_unit_price_that_includes_iva(self) -> None:
        doc = taxes.compute([Item(D(1), D(116), taxes=[Tax("IVA", D("0.16"), inclusive=True)])], 2)
        (concepto,) = doc.conceptos
        assert (concepto.valor_unitario, concepto.importe) == (D("100.00"), D("100.00"))
        assert concepto.traslados[0].importe == D("16.00")
        assert doc.total == D("116.00")

    def test_derived_price_has_six_decimals_and_the_total_matches_the_quote(self) -> None:
        # 99.99 / 1.16 = 86.198275862...; 3 x 86.198276 = 258.594828 -> 258.59;
        # 258.59 * 0.16 = 41.3744 would give 299.96, but Anexo 20 accepts 41.37..41.38 for this
        # base, so the engine writes 41.38 and the customer pays exactly 3 x 99.99 = 299.97.
        doc = taxes.compute([Item(D(3), D("99.99"), taxes=[Tax("IVA", D("0.16"), inclusive=True)])], 2)
        (concepto,) = doc.conceptos
        assert concepto.valor_unitario == D("86.198276")
        assert concepto.importe == D("258.59")
        assert concepto.traslados[0].importe == D("41.38")
        assert doc.total == D("299.97")

    def test_inclusive_withholdings_give_the_net_amount(self) -> None:
        # gross = u * (1 + 0.16 - 0.10) = 1060 -> u = 1000
        item = Item(D(1), D(1060), taxes=[
            Tax("IVA", D("0.16"), inclusive=True), Tax("ISR", D("0.10"), withholding=True, inclusive=True),
        ])
        doc = taxes.compute([item], 2)
        assert doc.conceptos[0].valor_unitario == D("1000.00")
        assert (doc.total_impuestos_trasladados, doc.total_impuestos_retenidos, doc.total) == (
            D("160.00"), D("100.00"), D("1060.00"),
        )


class TestDiscounts:
    def test_discount_reduces_the_base(self) -> None:
        doc = taxes.compute([Item(D(2), D(500), discount=D(100), taxes=[IVA16])], 2)
        (concepto,) = doc.conceptos
        assert (concepto.importe, concepto.descuento) == (D("1000.00"), D("100.00"))
        assert concepto.traslados[0] == line("900.00", "002", "Tasa", "0.160000", "144.00")
        assert (doc.subtotal, doc.descuento, doc.total) == (D("1000.00"), D("100.00"), D("1044.00"))

    def test_document_discount_appears_only_when_a_concept_has_one(self) -> None:
        doc = taxes.compute([Item(D(1), D(10), taxes=[IVA16]), Item(D(1), D(10), discount=D(0))], 2)
        assert doc.descuento is None
        assert doc.conceptos[1].descuento is None

    def test_discount_larger_than_the_amount_is_refused(self) -> None:
        with pytest.raises(TaxInputError, match="discount"):
            taxes.compute([Item(D(1), D(10), discount=D(11))], 2)

    def test_fully_discounted_taxed_item_is_refused(self) -> None:
        with pytest.raises(TaxInputError, match="base greater than zero"):
            taxes.compute([Item(D(1), D(10), discount=D(10), taxes=[IVA16])], 2)


class TestFactors:
    def test_exento_has_base_only_and_no_total(self) -> None:
        doc = taxes.compute([Item(D(1), D(250), taxes=[Tax("IVA", factor="Exento")])], 2)
        assert doc.conceptos[0].traslados == (line("250.00", "002", "Exento", None, None),)
        assert doc.traslados == (taxes.TrasladoTotal(D("250.00"), "002", "Exento", None, None),)
        assert doc.total_impuestos_trasladados is None  # CFDI40212: only when something is not Exento
        assert doc.total == D("250.00")

    def test_exento_next_to_a_rate_keeps_separate_groups(self) -> None:
        doc = taxes.compute([Item(D(1), D(250), taxes=[Tax("IVA", factor="Exento")]),
                             Item(D(1), D(100), taxes=[IVA16])], 2)
        assert [t.tipo_factor for t in doc.traslados] == ["Exento", "Tasa"]
        assert doc.total_impuestos_trasladados == D("16.00")
        assert doc.total == D("366.00")

    def test_ieps_rate_is_part_of_the_iva_base(self) -> None:
        doc = taxes.compute([Item(D(2), D(100), taxes=[Tax("IEPS", D("0.08")), IVA16])], 2)
        assert doc.conceptos[0].traslados == (
            line("200.00", "003", "Tasa", "0.080000", "16.00"),
            line("216.00", "002", "Tasa", "0.160000", "34.56"),  # (200 + 16) * 0.16
        )
        assert doc.total == D("250.56")

    def test_ieps_cuota_applies_per_unit(self) -> None:
        # 10 liters at 25.00 with a fixed IEPS of 6.4555 per liter: Base is the quantity.
        doc = taxes.compute([Item(D(10), D(25), taxes=[Tax("IEPS", D("6.4555"), factor="Cuota"), IVA16])], 2)
        ieps, iva = doc.conceptos[0].traslados
        assert ieps == line("10", "003", "Cuota", "6.455500", "64.56")  # 64.555 rounds (half-even) to 64.56
        assert iva == line("314.56", "002", "Tasa", "0.160000", "50.33")  # (250 + 64.56) * 0.16 = 50.3296
        assert doc.traslados[0].base == D("10.00")
        assert doc.total == D("364.89")

    def test_withholding_cannot_be_exento(self) -> None:
        with pytest.raises(TaxInputError, match="Exento"):
            taxes.compute([Item(D(1), D(1), taxes=[Tax("ISR", factor="Exento", withholding=True)])], 2)

    def test_rate_is_required_for_tasa(self) -> None:
        with pytest.raises(TaxInputError, match="needs a rate"):
            taxes.compute([Item(D(1), D(1), taxes=[Tax("IVA")])], 2)


class TestCurrencies:
    def test_usd_amounts_stay_in_dollars(self) -> None:
        # The exchange rate only goes into TipoCambio; amounts are in the document's currency.
        doc = taxes.compute([Item(D(3), D("19.99"), taxes=[IVA16])], 2)
        assert (doc.subtotal, doc.total_impuestos_trasladados, doc.total) == (D("59.97"), D("9.60"), D("69.57"))

    def test_currency_without_decimals(self) -> None:
        doc = taxes.compute([Item(D(3), D("1234.5"), taxes=[IVA16])], 0)
        # 3703.5 -> 3704 (half-even); 3704 * 0.16 = 592.64 -> 593
        assert (doc.subtotal, doc.total_impuestos_trasladados, doc.total) == (D("3704"), D("593"), D("4297"))


class TestObjetoImp:
    def test_without_taxes_is_01(self) -> None:
        assert taxes.compute([Item(D(1), D(1))], 2).conceptos[0].objeto_imp == "01"

    def test_explicit_value_is_kept(self) -> None:
        assert taxes.compute([Item(D(1), D(1), objeto_imp="03")], 2).conceptos[0].objeto_imp == "03"


class TestInputErrors:
    def test_zero_quantity(self) -> None:
        with pytest.raises(TaxInputError, match="quantity"):
            taxes.compute([Item(D(0), D(1))], 2)

    def test_too_many_decimals(self) -> None:
        with pytest.raises(TaxInputError, match="decimals"):
            taxes.compute([Item(D("1.1234567"), D(1))], 2)

    def test_floats_are_refused(self) -> None:
        with pytest.raises(TypeError):
            taxes.compute([Item(1.5, D(1))], 2)  # type: ignore[arg-type]

    def test_make_tax_checks_the_vocabulary(self) -> None:
        assert taxes.make_tax("IVA", "0.16").rate == D("0.16")
        with pytest.raises(TaxInputError, match="tax type"):
            taxes.make_tax("VAT", "0.16")


RATES = [("IVA", "0.16", False), ("IVA", "0.08", False), ("IVA", "0", False), ("IEPS", "0.265", False),
         ("ISR", "0.10", True), ("IVA", "0.106667", True), ("ISR", "0.0125", True)]


@st.composite
def items(draw: st.DrawFn) -> Item:
    quantity = draw(st.decimals(min_value=D("0.001"), max_value=D(500), places=3))
    price = draw(st.decimals(min_value=D("0.01"), max_value=D(20000), places=draw(st.integers(0, 6))))
    assume(quantity * price >= D("0.01"))  # a taxed line must not round to 0.00 (CFDI40174)
    inclusive = draw(st.booleans())
    chosen = draw(st.lists(st.sampled_from(RATES), min_size=1, max_size=3, unique_by=lambda r: (r[0], r[2])))
    return Item(quantity, price, taxes=[Tax(t, D(r), withholding=w, inclusive=inclusive and not w)  # type: ignore[arg-type]
                                        for t, r, w in chosen])


@settings(max_examples=150, deadline=None)
@given(st.lists(items(), min_size=1, max_size=4))
def test_every_amount_is_inside_sat_tolerances_and_totals_add_up(generated: list[Item]) -> None:
    doc = taxes.compute(generated, 2)
    for concepto in doc.conceptos:
        lower, upper = money.importe_bounds(concepto.cantidad, concepto.valor_unitario, 2)
        assert lower <= concepto.importe <= upper  # CFDI40167
        for tax_line in (*concepto.traslados, *concepto.retenciones):
            assert tax_line.tasa_o_cuota is not None and tax_line.importe is not None
            low, high = money.tax_bounds(tax_line.base, tax_line.tasa_o_cuota, 2)
            assert low <= tax_line.importe <= high  # CFDI40180 / CFDI40186
            assert money.decimals_of(tax_line.importe) <= 2
    concept_traslados = sum(t.importe or 0 for c in doc.conceptos for t in c.traslados)
    concept_retenciones = sum(t.importe or 0 for c in doc.conceptos for t in c.retenciones)
    assert doc.total_impuestos_trasladados in (None, concept_traslados)  # CFDI40205 / CFDI40221
    assert (doc.total_impuestos_retenidos or 0) == concept_retenciones  # CFDI40203 / CFDI40211
    assert doc.total == doc.subtotal - (doc.descuento or 0) + (doc.total_impuestos_trasladados or 0) - (
        doc.total_impuestos_retenidos or 0
    )  # CFDI40119
