"""Migrations under a lock: several real processes upgrading one fresh database at once (a SQLite file, and a
PostgreSQL database when the suite has a server) all succeed and bring the schema to head once; while another
holds the migration lock they wait (`alembic upgrade` run by hand too), and do nothing once they find the schema
at head."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from tests.procs import START_DEADLINE_S, Started, env_for, free_port, start, stop, wait_up
from timbre.migrate import ROOT, WAITING, alembic_config, migration_lock

KINDS = ["sqlite", *(["postgres"] if os.environ.get("TIMBRE_TEST_POSTGRES_URL") else [])]
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture(params=KINDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shared.db"
        return
    base = os.environ["TIMBRE_TEST_POSTGRES_URL"]
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    name = f"timbre_migrate_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _versions(url: str) -> list[str] | None:
    """alembic_version's rows (None: no such table, the schema was never touched)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def _env(tmp_path: Path, n: int, url: str, **extra: str) -> dict[str, str]:
    return env_for(tmp_path / f"data{n}", TIMBRE_DATABASE_URL=url, TIMBRE_SECRET_KEY=os.environ["TIMBRE_SECRET_KEY"],
                   **extra)


def _migrators(tmp_path: Path, url: str, count: int = 4) -> list[Started]:
    return [start(["migrate"], _env(tmp_path, n, url), tmp_path / f"migrate{n}.log") for n in range(count)]


def _finished(procs: list[Started]) -> list[tuple[int, str]]:
    outcomes = []
    for proc in procs:
        proc.wait(timeout=START_DEADLINE_S)
        outcomes.append((proc.returncode, proc.output()))
    return outcomes


@contextmanager
def _lock_held(url: str) -> Iterator[None]:
    """The migration lock held by this process, as a migrating Timbre process holds it."""
    holder = create_engine(url, poolclass=NullPool)
    try:
        with holder.connect() as conn, migration_lock(conn):
            yield
    finally:
        holder.dispose()


class TestConcurrentMigrate:
    def test_four_processes_at_once_all_succeed_and_migrate_once(self, tmp_path: Path, fresh_url: str) -> None:
        outcomes = _finished(_migrators(tmp_path, fresh_url))
        assert [code for code, _ in outcomes] == [0] * 4, outcomes
        assert all("migrations applied" in output and "Traceback" not in output for _, output in outcomes), outcomes
        assert _versions(fresh_url) == [HEAD]

    def test_alembic_by_hand_waits_for_the_lock_too(self, tmp_path: Path, fresh_url: str) -> None:
        alembic = [str(Path(sys.executable).with_name("alembic")), "-c", str(ROOT / "alembic.ini")]
        with _lock_held(fresh_url):
            by_hand = Started([*alembic, "-x", f"url={fresh_url}", "upgrade", "head"], _env(tmp_path, 0, fresh_url),
                              tmp_path / "alembic.log")
            _wait_for_output(by_hand, WAITING)
            assert _versions(fresh_url) is None
        outcomes = _finished([by_hand])
        assert [code for code, _ in outcomes] == [0], outcomes
        assert _versions(fresh_url) == [HEAD]

    def test_processes_wait_while_the_lock_is_held_then_find_the_schema_at_head(self, tmp_path: Path,
                                                                                fresh_url: str) -> None:
        with _lock_held(fresh_url):
            procs = _migrators(tmp_path, fresh_url)
            for proc in procs:  # each has reached the lock and says why it waits
                _wait_for_output(proc, WAITING)
            assert _versions(fresh_url) is None  # nobody touched the schema meanwhile
        outcomes = _finished(procs)
        assert [code for code, _ in outcomes] == [0] * 4, outcomes
        assert _versions(fresh_url) == [HEAD]


def _wait_for_output(proc: Started, expected: str) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while expected not in proc.output():
        assert proc.poll() is None, f"exited with {proc.returncode} without waiting:\n{proc.output()}"
        assert time.monotonic() < deadline, f"never waited for the lock:\n{proc.output()}"
        time.sleep(0.1)


@pytest.mark.slow
class TestConcurrentServe:
    def test_three_servers_started_at_once_migrate_once_and_all_serve(self, tmp_path: Path, fresh_url: str) -> None:
        ports = [free_port() for _ in range(3)]
        servers = [start(["serve", "--port", str(port)],
                         _env(tmp_path, n, fresh_url, TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}"),
                         tmp_path / f"serve{n}.log") for n, port in enumerate(ports)]
        try:
            for server, port in zip(servers, ports, strict=True):
                wait_up(server, f"http://127.0.0.1:{port}/health")
            assert _versions(fresh_url) == [HEAD]
        finally:
            for server in servers:
                stop(server)
        assert [s.output() for s in servers if "Traceback" in s.output()] == []
