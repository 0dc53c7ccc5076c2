from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest

from timbre.clients.efos import EfosEntry, EfosParseError, Situacion, parse_69b
from timbre.clients.rfc import validate_rfc

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "efos_sample.csv"


def _sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


class TestSample:
    def test_parses_every_taxpayer(self) -> None:
        with SAMPLE.open("rb") as stream:
            entries = list(parse_69b(stream))
        assert len(entries) == 10
        assert Counter(entry.situation for entry in entries) == {
            Situacion.PRESUNTO: 3,
            Situacion.DEFINITIVO: 3,
            Situacion.DESVIRTUADO: 2,
            Situacion.SENTENCIA_FAVORABLE: 2,
        }

    def test_fields(self) -> None:
        first = next(parse_69b(io.BytesIO(_sample_bytes())))
        assert first == EfosEntry(
            rfc="CFN120315AB4",
            name="COMERCIALIZADORA FICTICIA DEL NORTE, S.A. DE C.V.",
            situation=Situacion.DEFINITIVO,
        )
        assert validate_rfc(first.rfc).valid  # a Definitivo with a well-formed RFC

    def test_windows_1252_text_is_decoded(self) -> None:
        names = [entry.name for entry in parse_69b(io.BytesIO(_sample_bytes()))]
        assert "PEÑA Y ASOCIADOS DE PRUEBA, S.A. DE C.V." in names
        assert "GÓMEZ LÓPEZ MARÍA DE PRUEBA" in names
        rfcs = [entry.rfc for entry in parse_69b(io.BytesIO(_sample_bytes()))]
        assert any("Ñ" in rfc for rfc in rfcs)
        assert any("&" in rfc for rfc in rfcs)

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
    def test_utf8_gives_the_same_entries(self, encoding: str) -> None:
        text = _sample_bytes().decode("cp1252")
        expected = list(parse_69b(io.BytesIO(_sample_bytes())))
        assert list(parse_69b(io.BytesIO(text.encode(encoding)))) == expected
        assert list(parse_69b(io.StringIO(text))) == expected

    def test_adverse_situations(self) -> None:
        adverse = {entry.situation for entry in parse_69b(io.BytesIO(_sample_bytes())) if entry.situation.is_adverse}
        assert adverse == {Situacion.PRESUNTO, Situacion.DEFINITIVO}


class TestTolerance:
    HEADER = "No,RFC,Nombre del Contribuyente,Situación del contribuyente,Publicación página SAT presuntos\n"

    def test_any_number_of_title_lines(self) -> None:
        for titles in ("", "Título\n", "Uno\nDos\nTres\n,,,\n"):
            text = titles + self.HEADER + '1,AAA010101AA1,"EMPRESA, S.A.",Presunto,01/01/2025\n'
            assert [entry.rfc for entry in parse_69b(io.StringIO(text))] == ["AAA010101AA1"]

    def test_header_and_situation_spelling_variants(self) -> None:
        text = (
            "no,rfc,NOMBRE DEL CONTRIBUYENTE,SITUACION DEL CONTRIBUYENTE\n"
            "1, aaa010101aa1 ,  EMPRESA   UNO ,DEFINITIVO\n"
            "2,BBB010101BB2,EMPRESA DOS,sentencia  favorable\n"
            "\n"
            "3,,SIN RFC,Presunto\n"
        )
        entries = list(parse_69b(io.StringIO(text)))
        assert entries == [
            EfosEntry("AAA010101AA1", "EMPRESA UNO", Situacion.DEFINITIVO),
            EfosEntry("BBB010101BB2", "EMPRESA DOS", Situacion.SENTENCIA_FAVORABLE),
        ]

    def test_no_header_row(self) -> None:
        with pytest.raises(EfosParseError, match="header"):
            list(parse_69b(io.StringIO("a,b,c\n1,2,3\n")))

    def test_unknown_situation_is_an_error_with_its_line(self) -> None:
        text = self.HEADER + "1,AAA010101AA1,EMPRESA,Archivado,\n"
        with pytest.raises(EfosParseError, match="Line 2"):
            list(parse_69b(io.StringIO(text)))

    def test_undecodable_bytes_fall_back_to_latin_1(self) -> None:
        raw = self.HEADER.encode("cp1252") + b"1,AAA010101AA1,EMPRESA \x81,Presunto,\n"
        assert [entry.name for entry in parse_69b(io.BytesIO(raw))] == ["EMPRESA \x81"]
