from __future__ import annotations

import dataclasses
import datetime

import pytest

from timbre.catalogs import store
from timbre.clients.validation import (
    FIELDS,
    ClientFiscalData,
    ValidationReport,
    normalize_country,
    validate_client,
)

MORAL = ClientFiscalData(
    legal_name="ESCUELA KEMPER URGATE",
    tax_id="EKU9003173C9",
    tax_system="601",
    use="G03",
    zip="42501",
)
FISICA = ClientFiscalData(
    legal_name="BERENICE XIMO QUEZADA",
    tax_id="XIQB891116QE4",
    tax_system="612",
    use="D01",
    zip="06600",
)
PUBLICO = ClientFiscalData(legal_name="PUBLICO EN GENERAL", tax_id="XAXX010101000", tax_system="616", use="S01")
EXTRANJERO = ClientFiscalData(
    legal_name="ACME CORPORATION",
    tax_id="XEXX010101000",
    tax_system="616",
    use="S01",
    zip="94105",
    country="USA",
    foreign_tax_id="123456789",
)


def _rules(report: ValidationReport) -> list[tuple[str, str, str | None]]:
    return [(issue.field, issue.rule, issue.sat_code) for issue in report.issues]


class TestCompleteClients:
    @pytest.mark.parametrize("client", [MORAL, FISICA, PUBLICO, EXTRANJERO], ids=["moral", "fisica", "xaxx", "xexx"])
    def test_is_valid_and_complete(self, client: ClientFiscalData) -> None:
        report = validate_client(client)
        assert report.issues == ()
        assert report.is_valid
        assert report.is_complete_for_invoicing
        assert set(report.fields) == set(FIELDS)
        assert "invalid" not in report.fields.values()
        assert "missing" not in report.fields.values()

    def test_receiver_kind_and_foreignness(self) -> None:
        assert (validate_client(MORAL).receiver_kind, validate_client(MORAL).is_foreign) == ("moral", False)
        assert validate_client(FISICA).receiver_kind == "fisica"
        assert validate_client(PUBLICO).receiver_kind == "generico_nacional"
        report = validate_client(EXTRANJERO)
        assert (report.receiver_kind, report.is_foreign, report.country) == ("generico_extranjero", True, "USA")

    def test_generic_rfcs_need_no_zip(self) -> None:
        assert validate_client(PUBLICO).fields["address.zip"] == "not_required"
        foreign = validate_client(dataclasses.replace(EXTRANJERO, zip=None))
        assert foreign.fields["address.zip"] == "not_required"
        assert foreign.is_complete_for_invoicing


class TestMissingFields:
    def test_nothing_given_is_not_an_error_but_incomplete(self) -> None:
        report = validate_client(ClientFiscalData())
        assert report.issues == ()
        assert report.is_valid
        assert not report.is_complete_for_invoicing
        assert set(report.missing) == {"legal_name", "tax_id", "tax_system", "use", "address.zip"}
        assert report.fields["address.country"] == "not_required"  # defaults to Mexico
        assert report.fields["foreign_tax_id"] == "not_required"

    def test_blank_strings_count_as_missing(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, zip="  ", use=""))
        assert report.issues == ()
        assert set(report.missing) == {"address.zip", "use"}

    def test_foreign_receiver_without_tax_id_or_country(self) -> None:
        """SAT asks for NumRegIdTrib only with Comercio Exterior (CFDI40155): only the country is missing."""
        report = validate_client(dataclasses.replace(EXTRANJERO, foreign_tax_id=None, country=None))
        assert report.is_valid
        assert not report.is_complete_for_invoicing
        assert set(report.missing) == {"address.country"}
        assert report.fields["foreign_tax_id"] == "not_required"

    def test_foreign_receiver_without_tax_id_is_complete(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, foreign_tax_id=None))
        assert report.is_complete_for_invoicing


class TestTaxId:
    def test_rfc_errors_are_reported_on_tax_id(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_id="eku9003173c9"))
        assert _rules(report) == [("tax_id", "rfc_lowercase", None)]
        assert report.fields["tax_id"] == "invalid"
        assert report.receiver_kind is None

    def test_bad_length_uses_gigstacks_message(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_id="EKU90"))
        assert [issue.message for issue in report.issues] == ["RFC must be 12 or 13 characters"]


class TestTaxSystem:
    def test_not_for_the_kind_of_person(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_system="612", use="G01"))
        assert ("tax_system", "tax_system_not_for_persona", "CFDI40158") in _rules(report)
        report = validate_client(dataclasses.replace(FISICA, tax_system="601", use="G03"))
        assert ("tax_system", "tax_system_not_for_persona", "CFDI40158") in _rules(report)

    def test_626_applies_to_both(self) -> None:
        assert validate_client(dataclasses.replace(MORAL, tax_system="626")).is_valid
        assert validate_client(dataclasses.replace(FISICA, tax_system="626", use="G03")).is_valid

    @pytest.mark.parametrize("code", ["609", "628", "629", "630"])
    def test_retired_codes_are_refused(self, code: str) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_system=code))
        assert _rules(report)[0] == ("tax_system", "tax_system_retired", "CFDI40157")

    def test_unknown_code(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_system="999"))
        assert _rules(report) == [("tax_system", "tax_system_unknown", "CFDI40157")]

    @pytest.mark.parametrize("client", [PUBLICO, EXTRANJERO])
    def test_generic_rfcs_take_616_only(self, client: ClientFiscalData) -> None:
        report = validate_client(dataclasses.replace(client, tax_system="601"))
        assert ("tax_system", "tax_system_not_for_generic_rfc", "CFDI40159") in _rules(report)

    def test_checked_even_without_rfc_but_not_against_a_person(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, tax_id=None, tax_system="612", use="G03"))
        assert report.is_valid
        assert report.missing == ["tax_id"]


class TestUse:
    def test_not_for_the_kind_of_person(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, use="D01"))
        assert _rules(report) == [("use", "use_not_for_persona", "CFDI40161")]

    def test_not_for_the_tax_system(self) -> None:
        report = validate_client(dataclasses.replace(FISICA, tax_system="605", use="G03"))
        assert _rules(report) == [("use", "use_not_for_tax_system", "CFDI40161")]
        message = report.issues[0].message
        # The message lists what would work for a física under 605, straight from c_UsoCFDI.
        allowed = [
            row["code"]
            for row in store.rows("c_UsoCFDI")
            if "605" in row["regimenes_receptor"].split(";") and row["applies_fisica"] == "Sí"
        ]
        assert allowed
        assert all(code in message for code in allowed)

    def test_retired_p01(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, use="P01"))
        assert _rules(report) == [("use", "use_retired", "CFDI40160")]
        assert "S01" in report.issues[0].message

    def test_unknown(self) -> None:
        assert _rules(validate_client(dataclasses.replace(MORAL, use="G99"))) == [("use", "use_unknown", "CFDI40160")]

    def test_publico_en_general_uses_s01_not_g03(self) -> None:
        report = validate_client(dataclasses.replace(PUBLICO, use="G03"))
        assert _rules(report) == [("use", "use_not_for_tax_system", "CFDI40161")]
        # Without a tax_system the generic RFC's only régimen, 616, still applies.
        report = validate_client(dataclasses.replace(PUBLICO, use="G03", tax_system=None))
        assert ("use", "use_not_for_tax_system", "CFDI40161") in _rules(report)

    def test_not_yet_in_force(self) -> None:
        early = datetime.date(2021, 12, 31)  # CFDI 4.0 catalogs start 2022-01-01
        report = validate_client(MORAL, on=early)
        assert ("use", "use_not_in_force", "CFDI40160") in _rules(report)
        assert ("tax_system", "tax_system_not_in_force", "CFDI40157") in _rules(report)


class TestZip:
    def test_must_exist_for_national_receivers(self) -> None:
        # SAT lists 95k of the 100k five-digit codes; 00001 is not one of them.
        report = validate_client(dataclasses.replace(MORAL, zip="00001"))
        assert _rules(report) == [("address.zip", "zip_unknown", None)]

    @pytest.mark.parametrize("zip_code", ["6600", "066000", "O6600", "06 60", "０６６００"])
    def test_five_ascii_digits(self, zip_code: str) -> None:
        report = validate_client(dataclasses.replace(MORAL, zip=zip_code))
        assert _rules(report) == [("address.zip", "zip_format", None)]

    def test_foreign_zip_follows_the_countrys_pattern(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, zip="ABCDE"))
        assert _rules(report) == [("address.zip", "zip_format_for_country", None)]
        assert validate_client(dataclasses.replace(EXTRANJERO, zip="94105-1234")).is_valid
        spain = dataclasses.replace(EXTRANJERO, country="ESP", zip="28001", foreign_tax_id="B12345678")
        assert validate_client(spain).is_valid  # no pattern in c_Pais: anything goes


class TestForeign:
    @pytest.mark.parametrize("country", ["MEX", "Mexico", "México", "mexico", " MEX "])
    def test_mexico_spellings(self, country: str) -> None:
        assert normalize_country(country) == "MEX"
        report = validate_client(dataclasses.replace(MORAL, country=country))
        assert report.is_valid
        assert not report.is_foreign
        assert report.fields["address.country"] == "valid"

    def test_country_must_be_a_c_pais_code(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, country="Narnia"))
        assert ("address.country", "country_unknown", "CFDI40150") in _rules(report)
        assert normalize_country("usa") == "USA"

    def test_foreign_rfc_cannot_reside_in_mexico(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, country="MEX"))
        assert ("address.country", "country_mex_for_foreign_rfc", "CFDI40152") in _rules(report)

    def test_foreign_tax_id_pattern(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, foreign_tax_id="12-345"))
        assert _rules(report) == [("foreign_tax_id", "foreign_tax_id_format", "CFDI40156")]
        canada = dataclasses.replace(EXTRANJERO, country="CAN", zip="K1A 0B1", foreign_tax_id="123456789")
        assert validate_client(canada).is_valid

    def test_foreign_country_without_rfc_is_a_foreign_receiver(self) -> None:
        report = validate_client(dataclasses.replace(EXTRANJERO, tax_id=None))
        assert report.is_foreign
        assert report.missing == ["tax_id"]

    def test_mexican_rfc_with_an_address_abroad_stays_national(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, country="USA"))
        assert not report.is_foreign
        assert report.is_valid

    def test_foreign_tax_id_is_not_for_national_rfcs(self) -> None:
        report = validate_client(dataclasses.replace(MORAL, foreign_tax_id="123456789"))
        assert _rules(report) == [("foreign_tax_id", "foreign_tax_id_with_national_rfc", "CFDI40154")]


class TestLegalName:
    @pytest.mark.parametrize(
        "name",
        ["ESCUELA KEMPER URGATE SA DE CV", "ESCUELA KEMPER URGATE, S.A. DE C.V.", "Escuela Kemper Urgate S. de R.L.",
         "ESCUELA KEMPER URGATE SAPI DE CV", "ESCUELA KEMPER URGATE, S.C."],
    )  # fmt: skip
    def test_company_name_without_capital_regime(self, name: str) -> None:
        report = validate_client(dataclasses.replace(MORAL, legal_name=name))
        assert _rules(report) == [("legal_name", "legal_name_includes_capital_regime", "CFDI40145")]

    @pytest.mark.parametrize("name", ["CASA DE SAN SA BAS", "LA CASA", "SERVICIOS ASC"])
    def test_names_that_only_look_alike_pass(self, name: str) -> None:
        assert validate_client(dataclasses.replace(MORAL, legal_name=name)).is_valid

    def test_publico_en_general_needs_xaxx(self) -> None:
        report = validate_client(dataclasses.replace(FISICA, legal_name="PUBLICO EN GENERAL"))
        assert _rules(report) == [("legal_name", "publico_en_general_needs_generic_rfc", "CFDI40146")]


def test_every_sat_code_used_is_in_the_error_matrix() -> None:
    clients = [
        dataclasses.replace(MORAL, tax_system="612", use="D01", legal_name="X SA DE CV", foreign_tax_id="1"),
        dataclasses.replace(PUBLICO, tax_system="601", use="P01"),
        dataclasses.replace(EXTRANJERO, country="MEX", foreign_tax_id="x"),
        dataclasses.replace(EXTRANJERO, country="Narnia", tax_system="609", use="ZZZ"),
        dataclasses.replace(FISICA, legal_name="PUBLICO EN GENERAL", tax_system="605", use="G03"),
    ]
    codes = {issue.sat_code for client in clients for issue in validate_client(client).issues if issue.sat_code}
    assert len(codes) >= 8
    for code in codes:
        row = store.get("cfdi40_error_matrix", code)
        assert row is not None, code
        assert row["node"] == "cfdi:Receptor", code


def test_from_mapping_reads_gigstack_shaped_clients() -> None:
    data = ClientFiscalData.from_mapping(
        {
            "legal_name": "ACME CORPORATION",
            "tax_id": "XEXX010101000",
            "tax_system": "616",
            "use": "S01",
            "address": {"zip": "94105", "country": "USA", "street": "Market St"},
            "num_reg_id_trib": "123456789",
            "email": "billing@example.com",
        }
    )
    assert data == EXTRANJERO
    assert ClientFiscalData.from_mapping({"address": None, "tax_id": 42}) == ClientFiscalData()


def test_report_serialises_for_the_api() -> None:
    payload = validate_client(dataclasses.replace(MORAL, use="D01", zip=None)).to_dict()
    assert payload["is_valid"] is False
    assert payload["is_complete_for_invoicing"] is False
    assert payload["fields"]["use"] == "invalid"
    assert payload["fields"]["address.zip"] == "missing"
    assert payload["missing"] == ["address.zip"]
    assert payload["issues"] == [
        {
            "field": "use",
            "rule": "use_not_for_persona",
            "message": payload["issues"][0]["message"],
            "sat_code": "CFDI40161",
        }
    ]
