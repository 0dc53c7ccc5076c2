"""The SQLite writers queue (`kit.writers`): one write transaction at a time across threads and processes,
handed over at once, given back however the transaction ends, and failing like SQLite's busy timeout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import DB_KIND, DB_URL
from tests.factories import bearer, create_account
from timbre.kit.db import get_engine, get_sessionmaker, session_scope, writer_queue
from timbre.kit.writers import WriterQueue

pytestmark = pytest.mark.skipif(DB_KIND != "sqlite", reason="the queue exists for SQLite only")

_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextmanager
def held_elsewhere(lock_path: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the queue's file lock for `seconds`."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, lock_path, str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _queue() -> WriterQueue:
    queue = writer_queue(get_engine(DB_URL))
    assert queue is not None
    return queue


_INSERT = text("INSERT INTO efos_entries (rfc, name, situation, updated_at) VALUES (:rfc, '', 'Definitivo', 0)")


def _write(value: str) -> None:
    with session_scope(DB_URL) as session:
        session.execute(_INSERT, {"rfc": value})


def test_a_write_waits_while_another_process_holds_the_queue_then_proceeds() -> None:
    with held_elsewhere(_queue().path, 0.6):
        started = time.monotonic()
        _write("AAA010101AAA")
        waited = time.monotonic() - started
    assert 0.3 < waited < 5
    with session_scope(DB_URL) as session:
        assert session.execute(text("SELECT count(*) FROM efos_entries")).scalar_one() == 1


def test_a_queue_still_held_after_the_timeout_fails_like_sqlite(tmp_path: Path) -> None:
    queue = WriterQueue(str(tmp_path / "x.db"), timeout=0.3)
    with held_elsewhere(queue.path, 30):
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            queue.take(object())
        assert 0.25 < time.monotonic() - started < 3
    connection = object()
    queue.take(connection)  # the failed attempt left nothing behind in this process
    queue.take(connection)  # taking it again for the same connection is a no-op
    queue.give_back(connection)
    queue.give_back(connection)  # and so is giving it back twice
    other = object()
    queue.take(other)
    queue.give_back(other)


def test_the_queue_is_given_back_however_a_transaction_ends() -> None:
    _write("BBB010101BBB")
    session = get_sessionmaker(DB_URL)()
    with pytest.raises(IntegrityError):  # a failed statement, then a rollback
        session.execute(_INSERT, {"rfc": "BBB010101BBB"})
    session.rollback()
    session.execute(_INSERT, {"rfc": "CCC010101CCC"})
    session.close()  # closed without commit or rollback
    session = get_sessionmaker(DB_URL)()
    session.execute(_INSERT, {"rfc": "DDD010101DDD"})
    session.connection().invalidate()  # a broken connection
    session.close()

    done = threading.Event()
    worker = threading.Thread(target=lambda: (_write("EEE010101EEE"), done.set()))
    worker.start()
    assert done.wait(5), "a write transaction kept the queue"
    worker.join()


def test_threads_of_one_process_take_turns() -> None:
    def write(n: int) -> None:
        _write(f"T{n:02d}0101XXXX")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with session_scope(DB_URL) as session:
        assert session.execute(text("SELECT count(*) FROM efos_entries")).scalar_one() == 20


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_queues_on_its_own_file_description(tmp_path: Path) -> None:
    """flock belongs to an open file description: a child sharing its parent's would never wait for it."""
    queue = WriterQueue(str(tmp_path / "x.db"), timeout=0.3)
    holder = object()
    queue.take(holder)
    try:
        pid = os.fork()
        if pid == 0:  # the child: the parent holds the queue, so this must time out
            try:
                queue._lock = threading.Lock()  # the parent's thread lock came along taken
                queue.take(object())
                os._exit(1)
            except sqlite3.OperationalError:
                os._exit(0)
            except BaseException:
                os._exit(2)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        queue.give_back(holder)


def test_the_api_answers_503_when_the_database_stays_locked(client: TestClient) -> None:
    account = create_account()
    queue = _queue()
    timeout = queue.timeout
    queue.timeout = 0.3
    try:
        with held_elsewhere(queue.path, 30):
            res = client.post("/v2/clients", headers=bearer(account.test_key),
                              json={"legal_name": "PUBLICO EN GENERAL", "tax_id": "XAXX010101000"})
    finally:
        queue.timeout = timeout
    assert res.status_code == 503, res.text
    body = res.json()
    assert body["error"]["code"] == "database_busy" and res.headers["retry-after"] == "1"
    listed = client.get("/v2/clients", headers=bearer(account.test_key)).json()
    assert listed["data"] == []
