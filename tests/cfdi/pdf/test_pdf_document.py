"""read_document gives the same printable content for satcfdi's built and parsed shapes."""

from decimal import Decimal

from tests.cfdi.pdf import pdf_samples
from timbre.catalogs import store
from timbre.cfdi.pdf.fields import format_money, format_quantity, format_rate, nodes
from timbre.cfdi.pdf.read import read_document


class TestReadDocument:
    def test_built_and_parsed_documents_read_the_same(self) -> None:
        built = pdf_samples.ingreso([pdf_samples.concepto(retencion_isr=True), pdf_samples.concepto(iva=False)])
        assert read_document(built) == read_document(pdf_samples.parsed(built))

    def test_payment_documents_read_the_same_in_both_shapes(self) -> None:
        built = pdf_samples.pago()
        assert read_document(built) == read_document(pdf_samples.parsed(built))

    def test_descriptions_come_from_sat_catalogs(self) -> None:
        doc = read_document(pdf_samples.ingreso())
        uso = store.get("c_UsoCFDI", "G03")
        regimen = store.get("c_RegimenFiscal", "601")
        assert uso is not None
        assert regimen is not None
        assert doc.receptor.uso == f"G03 - {uso['description']}"
        assert doc.emisor.regimen == f"601 - {regimen['description']}"

    def test_taxes_by_type(self) -> None:
        doc = read_document(pdf_samples.parsed(pdf_samples.ingreso([pdf_samples.concepto(retencion_isr=True)])))
        assert [(t.impuesto, t.factor, t.rate, t.importe) for t in doc.traslados] == [
            ("IVA", "Tasa", Decimal("0.160000"), Decimal("160.00"))
        ]
        assert [(t.kind, t.impuesto, t.importe) for t in doc.retenciones] == [
            ("retencion", "ISR", Decimal("100.00"))
        ]

    def test_stamp_and_qr_come_from_the_tfd(self) -> None:
        doc = read_document(pdf_samples.ingreso())
        assert doc.stamp is not None
        assert doc.stamp.uuid == pdf_samples.UUID
        assert doc.stamp.cadena_original.startswith(f"||1.1|{pdf_samples.UUID}|2026-11-20T10:05:03|")
        assert doc.stamp.qr_url.endswith(f"&fe={pdf_samples.SELLO[-8:]}")

    def test_without_tfd_there_is_no_stamp(self) -> None:
        assert read_document(pdf_samples.ingreso(stamped=False)).stamp is None


class TestFields:
    def test_nodes_accepts_every_shape_satcfdi_uses(self) -> None:
        one = {"Impuesto": "002", "Importe": Decimal(1)}
        assert nodes(None, "Impuesto") == []
        assert nodes(one, "Impuesto") == [one]
        assert nodes([one, one], "Impuesto") == [one, one]
        assert nodes({"002|Tasa|0.160000": one}, "Impuesto") == [one]

    def test_formats(self) -> None:
        assert format_money(Decimal("1234567.5")) == "1,234,567.50"
        assert format_money(Decimal("12.345678")) == "12.345678"
        assert format_money(None) == ""
        assert format_quantity(Decimal("2.000000")) == "2"
        assert format_quantity(Decimal("1.500")) == "1.5"
        assert format_rate(Decimal("0.160000")) == "16%"
        assert format_rate(Decimal("0.106667")) == "10.6667%"
