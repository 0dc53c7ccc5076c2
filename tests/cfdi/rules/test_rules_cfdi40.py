"""CFDI 4.0 rules: the valid baseline passes, and for every implemented CFDI40 code a minimal
mutation of it triggers exactly that code (among whatever else the mutation breaks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from satcfdi.cfdi import CFDI

from timbre.cfdi.rules import RelatedCfdi, RuleContext, Violation, implemented_codes, validate, validate_cfdi
from timbre.cfdi.rules.coverage import ENVELOPE_CODES

D = Decimal
Doc = dict[str, Any]
Mutation = Callable[[Doc], dict[str, Any] | None]  # mutates in place; may return RuleContext overrides
UUID_A = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"


def concept(doc: Doc, i: int) -> Doc:
    conceptos: list[Doc] = doc["Conceptos"]
    return conceptos[i]


def tax(doc: Doc, i: int, kind: str, j: int) -> Doc:
    taxes: list[Doc] = concept(doc, i)["Impuestos"][kind]
    return taxes[j]


def doc_tax(doc: Doc, kind: str, j: int) -> Doc:
    taxes: list[Doc] = doc["Impuestos"][kind]
    return taxes[j]


def tercero(doc: Doc) -> Doc:
    node: Doc = concept(doc, 0)["ACuentaTerceros"]
    return node


def parte(doc: Doc) -> Doc:
    partes: list[Doc] = concept(doc, 1)["Parte"]
    return partes[0]


def set_(path: Callable[[Doc], Doc], key: str, value: Any) -> Mutation:
    def mutate(doc: Doc) -> None:
        path(doc)[key] = value

    return mutate


def root(doc: Doc) -> Doc:
    return doc


def receptor(doc: Doc) -> Doc:
    node: Doc = doc["Receptor"]
    return node


def emisor(doc: Doc) -> Doc:
    node: Doc = doc["Emisor"]
    return node


def add(path: Callable[[Doc], Doc], key: str, delta: Decimal) -> Mutation:
    def mutate(doc: Doc) -> None:
        path(doc)[key] = path(doc)[key] + delta

    return mutate


def steps(*mutations: Mutation) -> Mutation:
    def mutate(doc: Doc) -> dict[str, Any] | None:
        overrides: dict[str, Any] = {}
        for m in mutations:
            overrides.update(m(doc) or {})
        return overrides

    return mutate


def context(**overrides: Any) -> Mutation:
    return lambda doc: overrides


def publico_general(doc: Doc) -> None:
    doc["Receptor"].update(
        {"Rfc": "XAXX010101000", "Nombre": "PUBLICO EN GENERAL", "DomicilioFiscalReceptor": "42501",
         "RegimenFiscalReceptor": "616", "UsoCFDI": "S01"}
    )  # fmt: skip


def global_invoice(periodicidad: str = "04", meses: str = "10", ano: int = 2026) -> Mutation:
    def mutate(doc: Doc) -> None:
        publico_general(doc)
        doc["InformacionGlobal"] = {"Periodicidad": periodicidad, "Meses": meses, "Año": ano}

    return mutate


def extranjero(doc: Doc) -> None:
    doc["Receptor"].update({"Rfc": "XEXX010101000", "RegimenFiscalReceptor": "616", "UsoCFDI": "S01"})
    doc["Receptor"]["DomicilioFiscalReceptor"] = "42501"


def comercio_exterior(doc: Doc) -> None:
    doc["Complemento"] = {"ComercioExterior": {"Version": "2.0"}}


def resico_issuer(doc: Doc) -> None:
    doc["Emisor"].update({"Rfc": "XIQB891116QE4", "Nombre": "BERENICE XIMO QUEZADA", "RegimenFiscal": "626"})


def duplicate(kind: str) -> Mutation:
    def mutate(doc: Doc) -> None:
        doc["Impuestos"][kind].append(dict(doc_tax(doc, kind, 0)))

    return mutate


def without(path: Callable[[Doc], Doc], key: str) -> Mutation:
    def mutate(doc: Doc) -> None:
        path(doc)[key] = None

    return mutate


def impuestos(doc: Doc) -> Doc:
    node: Doc = doc["Impuestos"]
    return node


def T0(doc: Doc) -> Doc:
    """IVA 16% of the service."""
    return tax(doc, 0, "Traslados", 0)


def R0(doc: Doc) -> Doc:
    """ISR 10% withheld."""
    return tax(doc, 0, "Retenciones", 0)


def EXENTO(doc: Doc) -> Doc:
    """The licence's exempt IVA."""
    return tax(doc, 1, "Traslados", 0)


def DOC_T0(doc: Doc) -> Doc:
    return doc_tax(doc, "Traslados", 0)


def DOC_EXENTO(doc: Doc) -> Doc:
    return doc_tax(doc, "Traslados", 1)


def DOC_R0(doc: Doc) -> Doc:
    return doc_tax(doc, "Retenciones", 0)


def C0(doc: Doc) -> Doc:
    return concept(doc, 0)


def C1(doc: Doc) -> Doc:
    return concept(doc, 1)


def C2(doc: Doc) -> Doc:
    return concept(doc, 2)


MUTATIONS: dict[str, Mutation] = {
    "CFDI40101": set_(root, "Fecha", "2026-11-20 10:00"),
    "CFDI40103": set_(root, "TipoDeComprobante", "T"),
    "CFDI40104": set_(root, "FormaPago", "07"),
    "CFDI40105": set_(root, "MetodoPago", "PPD"),
    "CFDI40106": context(cert_not_after=datetime(2026, 1, 1, tzinfo=UTC)),
    "CFDI40107": add(root, "SubTotal", D("0.001")),
    "CFDI40108": add(root, "SubTotal", D("1")),
    "CFDI40109": set_(root, "TipoDeComprobante", "T"),
    "CFDI40110": set_(root, "Descuento", D("6000.00")),
    "CFDI40111": set_(root, "Descuento", D("2.00")),
    "CFDI40112": set_(root, "Descuento", D("1.000")),
    "CFDI40113": set_(root, "Moneda", "ABC"),
    "CFDI40114": set_(root, "TipoCambio", D("17.5")),
    "CFDI40115": set_(root, "Moneda", "USD"),
    "CFDI40116": steps(set_(root, "Moneda", "XXX"), set_(root, "TipoCambio", D("1"))),
    "CFDI40117": steps(set_(root, "Moneda", "USD"), set_(root, "TipoCambio", D("17.1234567"))),
    "CFDI40118": steps(
        set_(root, "Moneda", "USD"),
        set_(root, "TipoCambio", D("30")),
        context(exchange_rate_limits={"USD": (D(15), D(20))}),
    ),
    "CFDI40119": add(root, "Total", D("1")),
    "CFDI40120": set_(root, "Total", D("1000000000000000000")),
    "CFDI40121": set_(root, "TipoDeComprobante", "X"),
    "CFDI40122": set_(root, "Exportacion", "02"),
    "CFDI40123": set_(root, "Exportacion", "05"),
    "CFDI40124": set_(root, "MetodoPago", "PPP"),
    "CFDI40125": set_(root, "TipoDeComprobante", "P"),
    "CFDI40126": set_(root, "LugarExpedicion", "00001"),
    "CFDI40127": set_(root, "Confirmacion", "ECVH1"),
    "CFDI40130": publico_general,
    "CFDI40131": global_invoice(periodicidad="09"),
    "CFDI40132": global_invoice(periodicidad="05", meses="13"),
    "CFDI40133": global_invoice(meses="19"),
    "CFDI40134": global_invoice(periodicidad="04", meses="13"),
    "CFDI40135": global_invoice(periodicidad="05", meses="01"),
    "CFDI40136": global_invoice(ano=2019),
    "CFDI40137": lambda doc: doc["CfdiRelacionados"][0].update({"TipoRelacion": "08"}),
    "CFDI40140": set_(emisor, "RegimenFiscal", "609"),
    "CFDI40141": set_(emisor, "RegimenFiscal", "612"),
    "CFDI40143": set_(receptor, "Rfc", "URE180429TM"),
    "CFDI40146": set_(receptor, "Nombre", "PUBLICO EN GENERAL"),
    "CFDI40147": set_(receptor, "DomicilioFiscalReceptor", "00001"),
    "CFDI40149": steps(extranjero, set_(receptor, "DomicilioFiscalReceptor", "86991")),
    "CFDI40150": steps(extranjero, set_(receptor, "ResidenciaFiscal", "QQQ")),
    "CFDI40151": set_(receptor, "ResidenciaFiscal", "USA"),
    "CFDI40152": steps(extranjero, set_(receptor, "ResidenciaFiscal", "MEX")),
    "CFDI40153": steps(extranjero, set_(receptor, "NumRegIdTrib", "123456789")),
    "CFDI40154": set_(receptor, "NumRegIdTrib", "123456789"),
    "CFDI40155": steps(extranjero, set_(receptor, "ResidenciaFiscal", "USA"), comercio_exterior),
    "CFDI40156": steps(extranjero, set_(receptor, "ResidenciaFiscal", "CAN"), set_(receptor, "NumRegIdTrib", "ABC")),
    "CFDI40157": set_(receptor, "RegimenFiscalReceptor", "999"),
    "CFDI40158": set_(receptor, "RegimenFiscalReceptor", "612"),
    "CFDI40159": steps(set_(receptor, "Rfc", "XAXX010101000"), set_(receptor, "DomicilioFiscalReceptor", "42501")),
    "CFDI40160": set_(receptor, "UsoCFDI", "P01"),
    "CFDI40161": set_(receptor, "UsoCFDI", "D01"),
    "CFDI40162": set_(C0, "ClaveProdServ", "99999999"),
    "CFDI40165": set_(C0, "ClaveUnidad", "ZZZ"),
    "CFDI40166": set_(C2, "ValorUnitario", D("0")),
    "CFDI40167": set_(C0, "Importe", D("300.00")),  # Cantidad "2" has no decimals: SAT tolerates +-0.5 units
    "CFDI40168": set_(C0, "Descuento", D("1.001")),
    "CFDI40169": set_(C2, "Descuento", D("11.00")),
    "CFDI40170": set_(C0, "ObjetoImp", "09"),
    "CFDI40171": set_(C2, "ObjetoImp", "02"),
    "CFDI40172": set_(C0, "ObjetoImp", "01"),
    "CFDI40173": set_(C0, "Impuestos", {"Traslados": [], "Retenciones": []}),
    "CFDI40174": set_(T0, "Base", D("0")),
    "CFDI40175": set_(T0, "Impuesto", "001"),
    "CFDI40176": set_(T0, "TipoFactor", "Otro"),
    "CFDI40177": set_(EXENTO, "TasaOCuota", D("0.160000")),
    "CFDI40178": set_(T0, "TasaOCuota", None),
    "CFDI40179": set_(T0, "TasaOCuota", D("0.150000")),
    "CFDI40180": add(T0, "Importe", D("1")),
    "CFDI40181": set_(R0, "Base", D("0")),
    "CFDI40182": set_(R0, "Impuesto", "004"),
    "CFDI40183": set_(R0, "TipoFactor", "Otro"),
    "CFDI40184": set_(R0, "TipoFactor", "Exento"),
    "CFDI40185": set_(R0, "TasaOCuota", D("0.400000")),
    "CFDI40186": add(R0, "Importe", D("1")),
    "CFDI40187": set_(tercero, "RfcACuentaTerceros", "JUFA7608212V"),
    "CFDI40188": set_(tercero, "RfcACuentaTerceros", "URE180429TM6"),
    "CFDI40189": set_(tercero, "RfcACuentaTerceros", "EXT990101NI1"),
    "CFDI40191": set_(tercero, "RegimenFiscalACuentaTerceros", "999"),
    "CFDI40192": set_(tercero, "DomicilioFiscalACuentaTerceros", "00001"),
    "CFDI40193": set_(tercero, "RfcACuentaTerceros", "EXT990101NI1"),
    "CFDI40194": set_(C1, "InformacionAduanera", ["123"]),
    "CFDI40195": comercio_exterior,
    "CFDI40196": set_(parte, "ClaveProdServ", "99999999"),
    "CFDI40197": set_(parte, "ValorUnitario", D("0")),
    "CFDI40198": set_(parte, "Importe", D("999.00")),
    "CFDI40199": set_(parte, "InformacionAduanera", ["12  47  3807  2001234"]),
    "CFDI40200": comercio_exterior,
    "CFDI40201": set_(root, "TipoDeComprobante", "T"),
    "CFDI40202": set_(impuestos, "TotalImpuestosRetenidos", D("41.330")),
    "CFDI40203": add(impuestos, "TotalImpuestosRetenidos", D("1")),
    "CFDI40204": set_(impuestos, "TotalImpuestosTrasladados", D("32.000")),
    "CFDI40205": add(impuestos, "TotalImpuestosTrasladados", D("1")),
    "CFDI40206": without(impuestos, "TotalImpuestosRetenidos"),
    "CFDI40207": set_(DOC_R0, "Impuesto", "004"),
    "CFDI40208": duplicate("Retenciones"),
    "CFDI40209": without(impuestos, "TotalImpuestosRetenidos"),
    "CFDI40210": set_(DOC_R0, "Importe", D("20.000")),
    "CFDI40211": add(DOC_R0, "Importe", D("1")),
    "CFDI40212": without(impuestos, "TotalImpuestosTrasladados"),
    "CFDI40213": set_(DOC_EXENTO, "TasaOCuota", D("0.000000")),
    "CFDI40214": set_(DOC_T0, "Base", D("200.000")),
    "CFDI40215": add(DOC_T0, "Base", D("1")),
    "CFDI40216": add(DOC_EXENTO, "Base", D("1")),
    "CFDI40217": set_(DOC_T0, "Impuesto", "001"),
    "CFDI40218": duplicate("Traslados"),
    "CFDI40219": set_(DOC_T0, "TasaOCuota", D("0.150000")),
    "CFDI40220": set_(DOC_T0, "Importe", D("32.000")),
    "CFDI40221": add(DOC_T0, "Importe", D("1")),
    "CFDI40222": comercio_exterior,
    "CFDI140223": steps(
        set_(tercero, "RfcACuentaTerceros", "EXT990101NI1"), set_(tercero, "RegimenFiscalACuentaTerceros", "612")
    ),
    "CFDI140224": steps(resico_issuer, context(emisor_marca_retencion=1, cert_rfc="XIQB891116QE4")),
    "CFDI140225": steps(resico_issuer, context(emisor_marca_retencion=2, cert_rfc="XIQB891116QE4")),
    "CFDI140226": set_(C0, "ObjetoImp", "06"),
    "CFDI140227": set_(C0, "ObjetoImp", "07"),
    "CFDI40999": lambda doc: doc["CfdiRelacionados"][0].update({"CfdiRelacionado": ["not-a-uuid"]}),
}


def codes(violations: list[Violation]) -> set[str]:
    return {v.code for v in violations}


def test_baseline_invoice_has_no_violations(invoice: CFDI, ctx: RuleContext) -> None:
    assert validate(invoice, ctx) == []


def test_baseline_survives_xml_round_trip(invoice: CFDI, ctx: RuleContext) -> None:
    """The sandbox PAC validates documents parsed back from XML (codes become satcfdi Code objects,
    repeated nodes become keyed dicts): the same document must still pass."""
    assert validate(CFDI.from_string(invoice.xml_bytes()), ctx) == []


def test_every_implemented_cfdi_code_has_a_mutation() -> None:
    cfdi_codes = (implemented_codes("cfdi") | ENVELOPE_CODES) - {"CFDI40102"}  # 102 needs signed XML
    assert set(MUTATIONS) == cfdi_codes


@pytest.mark.parametrize("code", sorted(MUTATIONS))
def test_mutation_triggers_code(code: str, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
    overrides = MUTATIONS[code](invoice) or {}
    found = validate_cfdi(invoice, context_factory(**overrides))
    assert code in codes(found), found
    hit = next(v for v in found if v.code == code)
    assert hit.message_es and hit.message_en and hit.hint


class TestDetails:
    def test_violation_names_request_field_and_location(self, invoice: CFDI, ctx: RuleContext) -> None:
        T0(invoice)["TasaOCuota"] = D("0.150000")
        found = [v for v in validate_cfdi(invoice, ctx) if v.code == "CFDI40179"]
        assert [(v.field, v.location) for v in found] == [
            ("items[0].taxes[0].rate", "Conceptos[0].Impuestos.Traslados.Traslado[0].TasaOCuota")
        ]
        assert "0.150000" in found[0].message_en

    def test_withholding_field_counts_after_transferred_taxes(self, invoice: CFDI, ctx: RuleContext) -> None:
        tax(invoice, 0, "Retenciones", 1)["TasaOCuota"] = D("0.200000")
        found = [v for v in validate_cfdi(invoice, ctx) if v.code == "CFDI40185"]
        assert [v.field for v in found] == ["items[0].taxes[2].rate"]

    def test_tax_field_hook(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        T0(invoice)["TasaOCuota"] = D("0.150000")
        ctx = context_factory(tax_field=lambda i, kind, j: f"lines[{i}].{kind.lower()}[{j}]")
        found = [v for v in validate_cfdi(invoice, ctx) if v.code == "CFDI40179"]
        assert found[0].field == "lines[0].traslados[0].rate"

    def test_fecha_in_the_future(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        found = validate_cfdi(invoice, context_factory(now=datetime(2026, 11, 20, 14, 0, tzinfo=UTC)))
        assert [v.code for v in found] == ["CFDI40101"]
        assert "future" in found[0].message_en

    def test_fecha_with_microseconds_is_written_to_the_second(
        self, invoice_at: Callable[[datetime], CFDI], ctx: RuleContext
    ) -> None:
        assert validate_cfdi(invoice_at(datetime(2026, 11, 20, 10, 0, 0, 123456)), ctx) == []

    def test_fecha_before_2010(self, invoice: CFDI, ctx: RuleContext) -> None:
        invoice["Fecha"] = datetime(2009, 12, 31, 10, 0)
        assert "CFDI40101" in codes(validate_cfdi(invoice, ctx))

    def test_fecha_older_than_72_hours(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        found = validate_cfdi(invoice, context_factory(now=datetime(2026, 11, 23, 19, 0, tzinfo=UTC)))
        assert [v.code for v in found] == ["CFDI40101"]
        assert "72 hours" in found[0].message_en

    def test_fecha_is_read_in_the_zone_of_lugar_expedicion(
        self, invoice: CFDI, context_factory: Callable[..., RuleContext]
    ) -> None:
        # 10:00 in Quintana Roo (77500, UTC-5) is 15:00 UTC: not in the future at 15:01 UTC; in central
        # Mexico (UTC-6) it is 16:00 UTC, an hour ahead.
        ctx = context_factory(now=datetime(2026, 11, 20, 15, 1, tzinfo=UTC))
        invoice["LugarExpedicion"] = "77500"
        assert validate_cfdi(invoice, ctx) == []
        invoice["LugarExpedicion"] = "06600"
        assert codes(validate_cfdi(invoice, ctx)) == {"CFDI40101"}

    def test_fecha_at_an_unknown_postal_code_tolerates_every_mexican_zone(
        self, invoice: CFDI, context_factory: Callable[..., RuleContext]
    ) -> None:
        invoice["LugarExpedicion"] = "00001"
        found = validate_cfdi(invoice, context_factory(now=datetime(2026, 11, 20, 15, 1, tzinfo=UTC)))
        assert codes(found) == {"CFDI40126"}

    def test_certificate_of_another_rfc(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        found = validate_cfdi(invoice, context_factory(cert_rfc="XIQB891116QE4"))
        assert [(v.code, v.field) for v in found] == [("CFDI40106", "team.tax_id")]

    def test_certificate_not_yet_valid(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        found = validate_cfdi(invoice, context_factory(cert_not_before=datetime(2026, 11, 21, tzinfo=UTC)))
        assert codes(found) == {"CFDI40106"}

    def test_exchange_rate_within_limits_passes(
        self, invoice: CFDI, context_factory: Callable[..., RuleContext]
    ) -> None:
        invoice["Moneda"], invoice["TipoCambio"] = "USD", D("17.5")
        ctx = context_factory(exchange_rate_limits={"USD": (D(15), D(20))})
        assert validate_cfdi(invoice, ctx) == []

    def test_global_invoice_passes(self, invoice: CFDI, ctx: RuleContext) -> None:
        global_invoice()(invoice)
        assert validate_cfdi(invoice, ctx) == []

    def test_global_node_only_for_publico_general(self, invoice: CFDI, ctx: RuleContext) -> None:
        invoice["InformacionGlobal"] = {"Periodicidad": "04", "Meses": "10", "Año": 2026}
        assert codes(validate_cfdi(invoice, ctx)) == {"CFDI40130"}

    def test_related_cfdi_known_missing(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        lookup = {UUID_A: RelatedCfdi(exists=False)}
        found = validate_cfdi(invoice, context_factory(related=lookup.get))
        assert [(v.code, v.field) for v in found] == [("CFDI40999", "related_documents[0].documents[0]")]

    def test_related_cfdi_unknown_is_not_checked(
        self, invoice: CFDI, context_factory: Callable[..., RuleContext]
    ) -> None:
        assert validate_cfdi(invoice, context_factory(related=lambda uuid: None)) == []

    def test_resico_without_isr_passes_mark_1(self, invoice: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        resico_issuer(invoice)
        concept(invoice, 0)["Impuestos"]["Retenciones"] = [tax(invoice, 0, "Retenciones", 1)]  # IVA withheld only
        ctx = context_factory(emisor_marca_retencion=1, cert_rfc="XIQB891116QE4")
        assert "CFDI140224" not in codes(validate_cfdi(invoice, ctx))

    def test_parsed_document_mutation_is_found(self, invoice: CFDI, ctx: RuleContext) -> None:
        xml = invoice.xml_bytes().replace(b'TasaOCuota="0.160000"', b'TasaOCuota="0.150000"', 1)
        assert "CFDI40179" in codes(validate(CFDI.from_string(xml), ctx))

    def test_value_a_rule_cannot_evaluate_is_reported_not_raised(self, invoice: CFDI, ctx: RuleContext) -> None:
        invoice["SubTotal"] = D("1E+40")  # quantizing to cents overflows Decimal's precision
        found = validate_cfdi(invoice, ctx)
        assert any(v.code == "CFDI40999" and "could not evaluate" in v.message_en for v in found)
