"""The optional daily job: Banxico's FIX rates from its SIE API, when the operator sets TIMBRE_BANXICO_TOKEN.

Banxico determines the FIX around 12:00 Mexico City time on banking days; the job runs at 12:30 and 18:30
(UTC 18:30 and 00:30) and asks for the last ten days, so a missed run or a late publication is filled in.
"""

from __future__ import annotations

import logging

from huey import crontab

from timbre.catalogs import husos
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.rates import service
from timbre.rates.banxico import BanxicoError, SieClient
from timbre.worker.queue import huey

log = logging.getLogger("timbre.rates")


def fetch_fix_rates(client: SieClient | None = None) -> service.ImportResult | None:
    """Fetch and store the recent FIX rates; None when no token is configured or Banxico failed."""
    settings = get_settings()
    if client is None:
        if not settings.banxico_token:
            return None
        client = SieClient(settings.banxico_token)
    try:
        with session_scope(settings.db_url) as session:
            result = service.fetch(session, client, husos.local_today(None))
    except BanxicoError as exc:
        log.warning("banxico fetch failed: %s", exc)
        return None
    log.info("banxico fix rates", extra={"rates": result.to_dict()})
    return result


@huey.periodic_task(crontab(minute="30", hour="0,18"))
def daily_fix_rates() -> None:
    fetch_fix_rates()
