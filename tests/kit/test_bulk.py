"""`kit.bulk.insert_many`: PostgreSQL COPY / SQLite executemany, in the caller's transaction, JSON encoded."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import Table, select

from timbre.config import get_settings
from timbre.kit.bulk import insert_many
from timbre.kit.db import session_scope
from timbre.models import SatListEntry


def _rows(n: int) -> list[dict[str, object]]:
    return [{"list_key": "69_firmes", "rfc": f"AAA0101{i:02d}AA{i % 10}", "name": f"EMPRESA {i}, S.A. \"X\"\tY",
             "situation": "FIRMES", "person_type": None if i % 2 else "M", "published": None,
             "details": {"monto": f"{i}.50", "nota": "ñ, \\ \n"}} for i in range(n)]


class TestInsertMany:
    def test_rows_come_back_as_given(self) -> None:
        rows = _rows(25)
        with session_scope(get_settings().db_url) as session:
            insert_many(session, cast(Table, SatListEntry.__table__), rows)
        with session_scope(get_settings().db_url) as session:
            stored = session.scalars(select(SatListEntry).order_by(SatListEntry.rfc)).all()
            got = [{c: getattr(e, c) for c in rows[0]} for e in stored]
        assert got == sorted(rows, key=lambda r: str(r["rfc"]))

    def test_a_failing_transaction_keeps_nothing(self) -> None:
        with pytest.raises(RuntimeError), session_scope(get_settings().db_url) as session:
            insert_many(session, cast(Table, SatListEntry.__table__), _rows(3))
            raise RuntimeError("the caller fails after the insert")
        with session_scope(get_settings().db_url) as session:
            assert session.scalars(select(SatListEntry)).all() == []

    def test_no_rows_is_a_no_op(self) -> None:
        with session_scope(get_settings().db_url) as session:
            insert_many(session, cast(Table, SatListEntry.__table__), [])
            assert session.scalars(select(SatListEntry)).all() == []
