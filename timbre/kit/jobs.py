"""Jobs are sent to the queue only after the request's transaction commits, and dropped on rollback.

`enqueue(session, task, *args)` records the job on the session; SQLAlchemy's `after_commit` event
sends it, `after_rollback` forgets it. Jobs take ids and open their own session. The Huey task id carries the
request id of the request (or job) that enqueued it (`kit.logs.job_id`), so the worker's log lines share it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from timbre.kit.logs import job_id

log = logging.getLogger("timbre.jobs")
_KEY = "timbre_pending_jobs"


def enqueue(session: Session, task: Any, *args: Any, eta: datetime | None = None) -> None:
    session.info.setdefault(_KEY, []).append((task, args, eta))


def pending(session: Session) -> list[tuple[Any, tuple[Any, ...], datetime | None]]:
    return list(session.info.get(_KEY, []))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for task, args, eta in session.info.pop(_KEY, []):
        task_id = job_id(uuid.uuid4().hex)
        try:
            if eta is not None:
                task.schedule(args=args, eta=eta, id=task_id)
            else:
                task(*args, id=task_id)
        except Exception:  # the queue being down must not turn a committed request into an error
            log.exception("could not enqueue job %s", getattr(task, "name", task))


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
