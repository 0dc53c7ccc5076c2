"""Test configuration: a real SQLite file or a real PostgreSQL database (TIMBRE_TEST_DB=postgres with
TIMBRE_TEST_POSTGRES_URL), migrated once per session and emptied after each test; the real Huey queue
(SQLite) whose jobs tests run explicitly with `run_jobs()`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_TMP = tempfile.mkdtemp(prefix="timbre-test-")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["TIMBRE_DATA_DIR"] = _TMP
os.environ["TIMBRE_SECRET_KEY"] = "test-secret-not-for-production-0123456789abcdef"
os.environ["TIMBRE_PUBLIC_URL"] = "http://testserver"
for _var in ("TIMBRE_REDIS_URL", "TIMBRE_SMTP_URL", "TIMBRE_PAC"):
    os.environ.pop(_var, None)
DB_KIND = os.environ.get("TIMBRE_TEST_DB", "sqlite")
if DB_KIND == "postgres":
    _base = os.environ["TIMBRE_TEST_POSTGRES_URL"]
    DB_URL = _base.rsplit("/", 1)[0] + f"/timbre_test_{_WORKER}"
else:
    DB_URL = f"sqlite:///{_TMP}/timbre.db"
os.environ["TIMBRE_DATABASE_URL"] = DB_URL

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.procs import free_port  # noqa: E402
from timbre.app import create_app  # noqa: E402
from timbre.config import get_settings  # noqa: E402
from timbre.kit.db import Base, get_engine  # noqa: E402
from timbre.migrate import upgrade  # noqa: E402
from timbre.worker import huey  # noqa: E402
from timbre.worker.registry import load_tasks  # noqa: E402


def _create_postgres_database() -> None:
    import psycopg

    admin = os.environ["TIMBRE_TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://")
    name = DB_URL.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    get_settings.cache_clear()
    if DB_KIND == "postgres":
        _create_postgres_database()
    upgrade(DB_URL)
    load_tasks()
    yield DB_URL
    get_engine(DB_URL).dispose()


def _empty_tables() -> None:
    engine = get_engine(DB_URL)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if DB_KIND == "postgres":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    _empty_tables()
    huey.flush()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real local redis-server on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (scripts/system-deps.sh installs it)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # up when it accepts a connection (a loaded machine starts it slowly)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    return create_app(get_settings())


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
