from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from timbre.cfdi.pdf.sat import VERIFICATION_URL, format_qr_total, tfd_cadena_original, verification_url


class TestFormatQrTotal:
    @pytest.mark.parametrize(
        ("total", "expected"),
        [
            ("123.45", "123.45"),
            ("0.123456", "0.123456"),
            ("1000.00000", "1000.0"),
            ("1160", "1160.0"),
            ("0", "0.0"),
            ("0.00", "0.0"),
            ("999999999999999999.999999", "999999999999999999.999999"),
        ],
    )
    def test_drops_non_significant_zeros_but_keeps_one_decimal(self, total: str, expected: str) -> None:
        assert format_qr_total(Decimal(total)) == expected


class TestVerificationUrl:
    def test_carries_the_five_fields_sat_reads(self) -> None:
        sello = "x" * 300 + "srQ3ZQ=="
        url = verification_url(
            uuid="5803EB8D-81CD-4557-8719-26632D2FA434",
            rfc_emisor="EKU9003173C9",
            rfc_receptor="XIQB891116QE4",
            total=Decimal("1234.50"),
            sello=sello,
        )
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == VERIFICATION_URL
        assert [key for key, _ in parse_qsl(parts.query)] == ["id", "re", "rr", "tt", "fe"]
        assert dict(parse_qsl(parts.query)) == {
            "id": "5803EB8D-81CD-4557-8719-26632D2FA434",
            "re": "EKU9003173C9",
            "rr": "XIQB891116QE4",
            "tt": "1234.5",
            "fe": sello[-8:],
        }

    def test_ampersand_in_an_rfc_is_written_as_an_xml_entity(self) -> None:
        url = verification_url(
            uuid="U", rfc_emisor="A&B010101AAA", rfc_receptor="XAXX010101000", total=Decimal(1), sello="s"
        )
        assert "re=A&amp;B010101AAA&rr=" in url


class TestTfdCadenaOriginal:
    def tfd(self, **extra: object) -> dict[str, object]:
        return {
            "Version": "1.1",
            "UUID": "5803EB8D-81CD-4557-8719-26632D2FA434",
            "FechaTimbrado": datetime(2026, 11, 20, 10, 5, 3),
            "RfcProvCertif": "SPR190613I52",
            "SelloCFD": "c2VsbG8=",
            "NoCertificadoSAT": "30001000000500003456",
            "SelloSAT": "not part of the cadena",
            **extra,
        }

    def test_follows_the_tfd_11_xslt_order(self) -> None:
        assert tfd_cadena_original(self.tfd()) == (
            "||1.1|5803EB8D-81CD-4557-8719-26632D2FA434|2026-11-20T10:05:03|SPR190613I52"
            "|c2VsbG8=|30001000000500003456||"
        )

    def test_includes_leyenda_only_when_present(self) -> None:
        cadena = tfd_cadena_original(self.tfd(Leyenda="  Una   leyenda "))
        assert "|SPR190613I52|Una leyenda|c2VsbG8=|" in cadena
        assert tfd_cadena_original(self.tfd(Leyenda="")) == tfd_cadena_original(self.tfd())

    def test_accepts_dates_as_text_like_the_xml_attribute(self) -> None:
        as_text = tfd_cadena_original(self.tfd(FechaTimbrado="2026-11-20T10:05:03"))
        assert as_text == tfd_cadena_original(self.tfd())
