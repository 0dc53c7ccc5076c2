import pytest

from timbre.cfdi.pdf.branding import DEFAULT_PRIMARY, contrast, parse_color, readable_on, text_safe, tint
from timbre.cfdi.pdf.canvas import Canvas, clean


class TestColours:
    def test_parse(self) -> None:
        assert parse_color("#0B5D4B", DEFAULT_PRIMARY) == (11, 93, 75)
        assert parse_color("ff8000", DEFAULT_PRIMARY) == (255, 128, 0)
        assert parse_color("nope", DEFAULT_PRIMARY) == parse_color(DEFAULT_PRIMARY, DEFAULT_PRIMARY)

    def test_text_on_a_background_picks_the_more_legible_of_black_and_white(self) -> None:
        assert readable_on((11, 93, 75)) == (255, 255, 255)
        assert readable_on((242, 201, 76)) == (0, 0, 0)

    @pytest.mark.parametrize("color", [(242, 201, 76), (255, 255, 255), (120, 200, 255), (11, 93, 75)])
    def test_text_safe_colours_read_on_white(self, color: tuple[int, int, int]) -> None:
        safe = text_safe(color)
        assert contrast(safe, (255, 255, 255)) >= 4.5
        if contrast(color, (255, 255, 255)) >= 4.5:
            assert safe == color  # dark enough already: kept as the team chose it

    def test_tint(self) -> None:
        assert tint((0, 100, 200), 0) == (0, 100, 200)
        assert tint((0, 100, 200), 1) == (255, 255, 255)


class TestText:
    def test_wrap_keeps_every_line_within_the_width(self) -> None:
        canvas = Canvas()
        canvas.use(8)
        text = "Servicio de consultoría en facturación electrónica " * 12
        lines = canvas.wrap(text, 60)
        assert len(lines) > 3
        assert all(canvas.width(line) <= 60 for line in lines)
        assert " ".join(lines).split() == text.split()

    def test_wrap_cuts_words_longer_than_a_line(self) -> None:
        canvas = Canvas()
        canvas.use(6)
        seal = "QUJDREVGR0g=" * 40
        lines = canvas.wrap(seal, 50)
        assert "".join(lines) == seal
        assert all(canvas.width(line) <= 50 for line in lines)

    def test_wrap_keeps_explicit_line_breaks(self) -> None:
        canvas = Canvas()
        canvas.use(8)
        assert canvas.wrap("uno\ndos", 100) == ["uno", "dos"]

    def test_fit_adds_an_ellipsis_only_when_needed(self) -> None:
        canvas = Canvas()
        canvas.use(8)
        assert canvas.fit("corto", 50) == "corto"
        cut = canvas.fit("un texto bastante más largo que el espacio disponible", 20)
        assert cut.endswith("…")
        assert canvas.width(cut) <= 20

    def test_clean_replaces_what_the_font_cannot_draw(self) -> None:
        assert clean("Ñandú “ok” – 1½ €") == "Ñandú “ok” – 1½ €"
        assert clean("抹茶\x00\ttab") == "?? tab"
        assert clean("e\u0301") == "é"  # decomposed accents are composed first
