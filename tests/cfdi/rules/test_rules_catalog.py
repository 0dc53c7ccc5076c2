"""The error catalog: every SAT code of both matrices, SAT's texts unchanged, our English texts,
and the "List CFDI errors" filters."""

from __future__ import annotations

import re

import pytest

from timbre.catalogs import store
from timbre.cfdi.rules import ERROR_TYPES, catalog, lookup, query

MATRICES = ("cfdi40_error_matrix", "pagos20_error_matrix")
SAT_ROWS = [row for matrix in MATRICES for row in store.rows(matrix)]
FIELD = re.compile(r"^[a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*$")


def test_one_entry_per_matrix_code_in_sat_order() -> None:
    sat = [info for info in catalog() if info.matrix != "RET20"]
    assert [info.code for info in sat] == [row["code"] for row in SAT_ROWS]
    assert len(sat) == 231


def test_retention_rules_follow_with_their_own_type() -> None:
    retention = [info for info in catalog() if info.matrix == "RET20"]
    assert retention and all(i.type == "retention" and i.api_triggerable for i in retention)
    assert catalog()[-len(retention):] == tuple(retention)


@pytest.mark.parametrize("row", SAT_ROWS, ids=[row["code"] for row in SAT_ROWS])
def test_entry_keeps_sat_texts_and_has_english(row: dict[str, str]) -> None:
    info = lookup(row["code"])
    assert info is not None
    assert (info.description, info.rule, info.node, info.attribute) == (
        row["description_es"],
        row["rule"],
        row["node"],
        row["attribute"],
    )
    assert info.code_alt == (row.get("code_alt") or None)
    assert len(info.explanation) > 20 and info.explanation.endswith(".")
    assert len(info.solution) > 20 and info.solution.endswith(".")
    assert info.explanation != info.description
    assert info.type in ERROR_TYPES
    assert info.field is None or FIELD.match(info.field), info.field


def test_types_and_triggerability() -> None:
    by_type = {t: {i.code for i in catalog() if i.type == t} for t in ERROR_TYPES}
    assert "CFDI40161" in by_type["receiver"] and "CFDI40141" in by_type["sender"]
    assert by_type["unknown"] == {"CFDI40999", "CRP20999"}
    not_triggerable = {i.code for i in catalog() if not i.api_triggerable}
    assert {"CFDI40102", "CFDI40106", "CFDI40128", "CRP20101", "CRP20123"} <= not_triggerable
    assert "CFDI40161" not in not_triggerable


def test_lookup_accepts_both_spellings_and_any_case() -> None:
    info = lookup("CFDI140223")
    assert info is not None
    assert lookup("CFDI40223") is info
    assert lookup(" cfdi40223 ") is info
    assert lookup("CFDI49999") is None


class TestQuery:
    def test_no_filter_lists_everything(self) -> None:
        assert query() == list(catalog())

    def test_code(self) -> None:
        assert [i.code for i in query(code="CFDI40227")] == ["CFDI140227"]
        assert query(code="NOPE") == []

    def test_words_are_accent_and_case_insensitive(self) -> None:
        found = {i.code for i in query(q="NUMERO DE OPERACION")}
        assert "CFDI40142" in found  # "número de operación"
        assert {i.code for i in query(q="física moral")} >= {"CFDI40141", "CFDI40158"}

    def test_searches_english_texts(self) -> None:
        assert "CFDI40139" in {i.code for i in query(q="constancia legal_name")}

    def test_type_and_words(self) -> None:
        found = query(q="rfc", type="Receiver")
        assert found and all(i.type == "receiver" for i in found)
        assert "CFDI40143" in {i.code for i in found}

    def test_unknown_type_finds_nothing(self) -> None:
        assert query(type="payments") == []
