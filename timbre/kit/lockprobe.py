"""How long transactions hold the rows every invoice creation serialises on: the team's credit counter
(`UPDATE teams SET used_credits …`) and the series' folio counter (`UPDATE series SET counter_… …`). Each
row lock is taken by that statement and held until the transaction commits or rolls back; one team (one
series) can therefore go no faster than one such transaction at a time, whatever the number of processes.

Off unless `TIMBRE_PROFILE_LOCKS` names a directory (then `get_engine` installs it: no listener, no cost
otherwise). Each process appends one line per transaction that took either lock to
`<dir>/locks-<pid>.txt`: `<team_hold_us> <series_hold_us>` (`-` for a lock it did not take), measured from
the moment the statement returned (the lock taken: waiting for it is not holding it) to the end of the commit,
on the monotonic clock. `bench/scale.py` reads them.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

ENV = "TIMBRE_PROFILE_LOCKS"
_TEAM, _SERIES = "lockprobe_team", "lockprobe_series"


def directory() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


def install(engine: Engine, out_dir: Path) -> None:
    """Time each lock from its statement's return to the end of the COMMIT (or ROLLBACK) that releases it: the commit's
    own WAL flush is part of the hold, so the dialect's `do_commit`/`do_rollback` are wrapped (SQLAlchemy's
    `commit` event fires before the COMMIT is sent)."""
    out_dir.mkdir(parents=True, exist_ok=True)  # created once: a probe never creates folders on the request path
    started: dict[int, dict[str, int]] = {}  # by pooled connection (what do_commit is given)
    guard = threading.Lock()

    @event.listens_for(engine, "after_cursor_execute")
    def _acquired(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """The statement has returned: the row is locked (the time it waited for the lock is not hold)."""
        name = _TEAM if statement.startswith("UPDATE teams SET used_credits") else \
            _SERIES if statement.startswith("UPDATE series SET counter_") else None
        if name is not None:
            started.setdefault(id(conn.connection), {}).setdefault(name, time.perf_counter_ns())

    def _released(dbapi_connection: Any) -> None:
        locks = started.pop(id(dbapi_connection), None)
        if not locks:
            return
        now = time.perf_counter_ns()
        line = " ".join(str((now - locks[name]) // 1000) if name in locks else "-" for name in (_TEAM, _SERIES))
        try:
            with guard, (out_dir / f"locks-{os.getpid()}.txt").open("a") as out:  # per process (uvicorn may fork)
                out.write(line + "\n")
        except OSError:  # a measurement lost, never a commit
            pass

    dialect = engine.dialect
    for method in ("do_commit", "do_rollback"):
        original = getattr(dialect, method)

        def wrapped(dbapi_connection: Any, _original: Any = original) -> None:
            try:
                _original(dbapi_connection)
            finally:
                _released(dbapi_connection)

        setattr(dialect, method, wrapped)
