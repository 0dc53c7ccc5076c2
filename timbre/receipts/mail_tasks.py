"""The job that e-mails a receipt (its own module: the receipt use cases queue it, and the global-invoice jobs
in `tasks` build on those use cases)."""

from __future__ import annotations

import logging

from timbre.config import get_settings
from timbre.errors import TimbreError
from timbre.kit.db import session_scope
from timbre.models import Team
from timbre.receipts import files
from timbre.receipts.repository import ReceiptRepository
from timbre.worker.queue import huey

log = logging.getLogger("timbre.receipts")


@huey.task()
def send_receipt_email(receipt_id: str, team_id: str, livemode: bool, emails: list[str] | None) -> bool:
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        receipt = ReceiptRepository.from_session(session).get_scoped(receipt_id, team_id, livemode)
        team = session.get(Team, team_id)
        if receipt is None or team is None:
            return False
        try:
            files.send(session, settings, receipt, team, emails)
        except TimbreError as exc:
            log.info("receipt %s not e-mailed: %s", receipt_id, exc.detail)
            return False
    return True
