"""The lock-hold probe `bench/scale.py` switches on with TIMBRE_PROFILE_LOCKS: one line per transaction that
took the team's credit row or a series' folio row, from the statement to the end of the commit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.factories import create_account
from timbre.invoices.repository import CreditRepository, FolioRepository
from timbre.kit import lockprobe
from timbre.kit.db import get_engine


def _lines(directory: Path) -> list[list[str]]:
    return [line.split() for file in directory.glob("locks-*.txt") for line in file.read_text().splitlines()]


class TestProbe:
    def test_a_reservation_records_both_holds(self, tmp_path: Path) -> None:
        account = create_account()
        engine = create_engine(os.environ["TIMBRE_DATABASE_URL"])
        lockprobe.install(engine, tmp_path)
        try:
            with Session(engine) as session:
                CreditRepository.from_session(session).spend(account.team_id)
                folio = FolioRepository.from_session(session).next_folio(account.team_id, "I", "F", False)
                session.commit()
                FolioRepository.from_session(session).next_folio(account.team_id, "I", "F", False)
                session.rollback()  # a rollback releases the lock too
                session.execute(CreditRepository.from_session(session).model.__table__.select().limit(1))
                session.commit()  # a transaction that took neither lock writes nothing
        finally:
            engine.dispose()
        assert folio == 1
        lines = _lines(tmp_path)
        assert [file.name for file in tmp_path.iterdir()] == [f"locks-{os.getpid()}.txt"]
        assert len(lines) == 2
        (team, series), (no_team, series_again) = lines
        assert int(team) >= int(series) >= 0  # the credit row is locked first, so held longer
        assert no_team == "-" and int(series_again) >= 0


class TestOffByDefault:
    def test_no_variable_no_probe(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv(lockprobe.ENV, raising=False)
        assert lockprobe.directory() is None
        engine = get_engine(os.environ["TIMBRE_DATABASE_URL"])
        assert engine.dialect.do_commit.__qualname__.endswith("do_commit")  # the dialect's own, not wrapped


class TestNeverInTheWay:
    def test_a_lost_directory_loses_the_measurement_not_the_commit(self, tmp_path: Path) -> None:
        account = create_account()
        engine = create_engine(os.environ["TIMBRE_DATABASE_URL"])
        lockprobe.install(engine, tmp_path / "gone")
        (tmp_path / "gone").rmdir()
        try:
            with Session(engine) as session:
                used = CreditRepository.from_session(session).spend(account.team_id)
                session.commit()
            with Session(engine) as session:
                assert CreditRepository.from_session(session).usage(account.team_id)[1] == used == 1
        finally:
            engine.dispose()
        assert not (tmp_path / "gone").exists()
