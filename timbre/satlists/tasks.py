"""The daily re-check of every client against SAT's lists (and after each import).

A client whose RFC is now on the 69-B Definitivo list gets `sat_status = "Definitivo"` and `sat_flagged_at`
(the first time only); one that left the list is cleared. The clients' `efos` field reads the EFOS table
the import refreshed, so it is current already. A client whose flag changes emits `customer.updated`.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab
from sqlalchemy.orm import Session

from timbre.clients.efos import Situacion
from timbre.clients.service import client as client_service
from timbre.config import get_settings
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.satlists.repository import ListedClientRepository
from timbre.worker.queue import huey

log = logging.getLogger("timbre.satlists")
DEFINITIVE_LIST = "69b_definitivo"


def recheck_clients(session: Session) -> dict[str, Any]:
    repo = ListedClientRepository.from_session(session)
    definitive = set(repo.rfcs_of(DEFINITIVE_LIST))
    rfcs = sorted(definitive)
    newly: list[str] = []
    cleared = 0
    now = now_ms()
    for team_id in repo.teams():
        for livemode in (False, True):
            for client in repo.to_recheck(team_id, livemode, rfcs):
                status = Situacion.DEFINITIVO.value if (client.tax_id or "").upper() in definitive else None
                if status == client.sat_status:
                    continue
                if status is not None:
                    client.sat_flagged_at = client.sat_flagged_at or now
                    newly.append(client.id)
                    log.warning("client %s of team %s is now on SAT's 69-B Definitivo list", client.id, team_id)
                else:
                    cleared += 1
                client.sat_status = status
                session.flush()
                client_service.emit(session, client, EventType.customer_updated)
    session.flush()
    return {"flagged": newly, "cleared": cleared}


@huey.periodic_task(crontab(hour="7", minute="40"))
def daily_recheck() -> dict[str, Any]:
    with session_scope(get_settings().db_url) as session:
        return recheck_clients(session)


@huey.task(retries=2, retry_delay=60)
def recheck_after_import() -> dict[str, Any]:
    with session_scope(get_settings().db_url) as session:
        return recheck_clients(session)
