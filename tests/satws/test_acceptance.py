"""SAT's rules for which cancellations need the receiver's acceptance (RMF regla 2.7.1.35)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from lxml import etree  # type: ignore[import-untyped]

from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.satws.acceptance import needs_acceptance

CFDI = "http://www.sat.gob.mx/cfd/4"
TFD = "http://www.sat.gob.mx/TimbreFiscalDigital"
STAMPED = datetime(2026, 11, 30, 10, 0, tzinfo=MEXICO_TZ)  # a Monday
LATER = STAMPED + timedelta(days=5)


def comprobante(tipo: str = "I", total: str = "2320.00", receptor: str = "XIQB891116QE4", moneda: str = "MXN",
                tipo_cambio: str | None = None) -> object:
    root = etree.Element(f"{{{CFDI}}}Comprobante", TipoDeComprobante=tipo, Total=total, Moneda=moneda)
    if tipo_cambio:
        root.set("TipoCambio", tipo_cambio)
    etree.SubElement(root, f"{{{CFDI}}}Receptor", Rfc=receptor)
    complemento = etree.SubElement(root, f"{{{CFDI}}}Complemento")
    etree.SubElement(complemento, f"{{{TFD}}}TimbreFiscalDigital", FechaTimbrado=STAMPED.strftime("%Y-%m-%dT%H:%M:%S"))
    return root


class TestNeedsAcceptance:
    def test_an_income_above_1000_mxn_after_the_next_business_day(self) -> None:
        assert needs_acceptance(comprobante(), LATER)

    @pytest.mark.parametrize("total", ["1000.00", "999.99", "0.01"])
    def test_up_to_1000_mxn(self, total: str) -> None:
        assert not needs_acceptance(comprobante(total=total), LATER)

    def test_foreign_currency_is_converted(self) -> None:
        assert needs_acceptance(comprobante(total="100.00", moneda="USD", tipo_cambio="18.50"), LATER)
        assert not needs_acceptance(comprobante(total="50.00", moneda="USD", tipo_cambio="18.50"), LATER)

    @pytest.mark.parametrize("tipo", ["E", "T", "N"])
    def test_egresos_traslados_nomina(self, tipo: str) -> None:
        assert not needs_acceptance(comprobante(tipo=tipo), LATER)

    @pytest.mark.parametrize("rfc", ["XAXX010101000", "XEXX010101000"])
    def test_publico_en_general_and_foreigners(self, rfc: str) -> None:
        assert not needs_acceptance(comprobante(receptor=rfc), LATER)

    def test_payment_complements_never_benefit_from_the_amount(self) -> None:
        assert needs_acceptance(comprobante(tipo="P", total="0"), LATER)

    def test_within_the_next_business_day(self) -> None:
        assert not needs_acceptance(comprobante(), STAMPED + timedelta(hours=30))  # Tuesday
        assert needs_acceptance(comprobante(), STAMPED + timedelta(days=2))  # Wednesday 10:00

    def test_a_friday_invoice_may_be_cancelled_until_monday_night(self) -> None:
        friday = comprobante()
        friday.find(f"{{{CFDI}}}Complemento")[0].set("FechaTimbrado", "2026-12-04T18:00:00")
        assert not needs_acceptance(friday, datetime(2026, 12, 7, 23, 0, tzinfo=MEXICO_TZ))
        assert needs_acceptance(friday, datetime(2026, 12, 8, 0, 30, tzinfo=MEXICO_TZ))
