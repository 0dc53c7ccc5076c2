from __future__ import annotations

import statistics
import time

import pytest

from timbre.catalogs import store
from timbre.catalogs.search import Match, normalize, search_product_keys, search_unit_keys


def _words(text: str) -> list[str]:
    return normalize(text).replace(",", " ").replace(".", " ").split()


class TestProductKeys:
    def test_consultoria_finds_consulting_keys_first(self) -> None:
        results = search_product_keys("consultoria")
        assert results[0].code == "80101500"
        # The literal word first, then SAT's other words for it (asesoría, asesoramiento).
        assert all("consultoria" in _words(match.description) for match in results[:4])
        for match in results:
            assert {"consultoria", "asesoria", "asesoramiento"} & set(_words(match.description)), match

    def test_accent_and_case_insensitive(self) -> None:
        assert search_product_keys("CONSULTORÍA") == search_product_keys("consultoria")
        assert search_product_keys("Diseño Gráfico") == search_product_keys("diseno grafico")

    def test_exact_code_comes_first(self) -> None:
        results = search_product_keys("80101501")
        assert results[0] == Match("80101501", store.get("c_ClaveProdServ", "80101501")["description"], 100.0)  # type: ignore[index]

    def test_code_prefix_lists_keys_in_code_order(self) -> None:
        results = search_product_keys("801015", limit=20)
        codes = [match.code for match in results]
        assert codes == sorted(codes)
        assert codes[0] == "80101500"
        assert all(code.startswith("801015") for code in codes)
        assert len(codes) == 12  # 80101500..80101511

    def test_every_word_must_match(self) -> None:
        results = search_product_keys("transporte carga carretera", limit=30)
        assert results
        for match in results:
            words = _words(match.description)
            for term in ("transporte", "carga", "carretera"):
                assert any(word.startswith(term) for word in words), (term, match)

    def test_whole_word_and_early_matches_rank_higher(self) -> None:
        results = search_product_keys("limpieza", limit=10)
        first = _words(results[0].description)
        assert first[0] == "limpieza"
        # "limpiezas"/"limpiezador" style prefix matches never outrank the whole word.
        ranks = ["limpieza" in _words(m.description) for m in results]
        assert ranks == sorted(ranks, reverse=True)

    def test_last_word_is_a_prefix_while_typing(self) -> None:
        results = search_product_keys("servicios de consul")
        assert results
        assert all(any(w.startswith("consul") for w in _words(m.description)) for m in results)

    def test_trailing_stopword_is_ignored(self) -> None:
        assert search_product_keys("servicios de") == search_product_keys("servicios")

    def test_scores_are_sorted(self) -> None:
        for query in ("servicio", "software de", "8010", "acero inoxidable", "gasolina"):
            scores = [match.score for match in search_product_keys(query, limit=25)]
            assert scores == sorted(scores, reverse=True)

    def test_a_smaller_limit_is_a_prefix_of_a_larger_one(self) -> None:
        for query in ("servicio", "se", "consultoria", "agua potable", "renta"):
            assert search_product_keys(query, limit=5) == search_product_keys(query, limit=40)[:5]

    @pytest.mark.parametrize("query", ["", "   ", "de la", "zzzzqqq", "!!!", "x"])
    def test_nothing_to_find(self, query: str) -> None:
        assert search_product_keys(query) == []

    def test_limit(self) -> None:
        assert len(search_product_keys("servicio", limit=3)) == 3
        assert search_product_keys("servicio", limit=0) == []


class TestUnitKeys:
    def test_everyday_units_first(self) -> None:
        assert search_unit_keys("pieza")[0].code == "H87"
        assert search_unit_keys("kilogramo")[0].code == "KGM"
        assert search_unit_keys("hora")[0].code == "HUR"
        assert search_unit_keys("servicio")[0].code == "E48"

    def test_code_any_case(self) -> None:
        assert search_unit_keys("h87")[0] == Match("H87", "Pieza", 100.0)
        assert search_unit_keys("E48")[0].code == "E48"

    def test_code_prefix(self) -> None:
        results = search_unit_keys("KG", limit=5)
        assert results
        assert all(match.code.startswith("KG") for match in results)


def test_queries_answer_in_a_few_milliseconds() -> None:
    queries = ["consultoria", "servicios de limpieza", "software", "8010", "co", "ser", "transporte de carga"]
    search_product_keys("warm up")  # index built outside the timing
    samples = []
    for _ in range(5):
        for query in queries:
            start = time.perf_counter()
            search_product_keys(query)
            samples.append(time.perf_counter() - start)
    assert statistics.median(samples) < 0.005
