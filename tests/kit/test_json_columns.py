"""JSON columns are decoded by pydantic-core's parser (`kit.db`): the very values `json.loads` gives, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import JSON, column, text

from tests.conftest import DB_URL
from timbre.kit.db import get_engine

DOCUMENTS = [
    '{"metadata": {"order": "A-1", "nota": "año ñ \\u00e9 \\ud83d\\ude00", "empty": ""}}',
    '[{"quantity": "1", "unit_price": 1160.0, "rate": 0.16, "tiny": 1e-7, "big": 1.5e300, "neg": -0.0}]',
    '{"int": 9223372036854775807, "huge": 123456789012345678901234567890, "zero": 0, "t": true, "n": null}',
    '{"nested": [[], {}, [{"a": [1, 2.5, "x"]}]], "same": 1, "same": 2}',
]


def _decoded(raw: str) -> tuple[Any, str]:
    """The document as a JSON column decodes it, and the text the database holds (jsonb reorders keys)."""
    engine = get_engine(DB_URL)
    sql = ("SELECT CAST(:v AS jsonb) AS doc, CAST(CAST(:v AS jsonb) AS text) AS held"
           if engine.dialect.name == "postgresql" else "SELECT :v AS doc, :v AS held")
    with engine.connect() as conn:
        row = conn.execute(text(sql).columns(column("doc", JSON), column("held")), {"v": raw}).one()
    return row.doc, str(row.held)


class TestJsonColumns:
    @pytest.mark.parametrize("raw", DOCUMENTS)
    def test_a_document_decodes_to_what_json_loads_gives(self, raw: str) -> None:
        decoded, stored = _decoded(raw)
        assert decoded == json.loads(stored)
        assert json.dumps(decoded) == json.dumps(json.loads(stored))

    @pytest.mark.skipif(DB_URL.startswith("postgresql"), reason="jsonb refuses a lone surrogate itself")
    def test_a_lone_surrogate_pydantic_core_refuses_still_decodes(self) -> None:
        raw = '{"note": "\\ud83d alone"}'
        assert _decoded(raw)[0] == json.loads(raw) == {"note": "\ud83d alone"}
