"""One stamping attempt of a retention and its outcome applied to the row: the invoices' semantics
(`invoices/stamping.py`).

An attempt ends stamped (`valid`), rejected (`failed`, the error kept, the credit refunded) or unanswered
(timeouts, 5xx, a network error: the retention stays `pending` and `retentions.tasks.recover_retention`
re-sends the very same sealed bytes, so a PAC never stamps it twice). A PAC that answers "already stamped"
(307) to a re-send stamped it before but its answer was lost: the retention stays pending with that said,
for the operator (no PAC adapter of ours can fetch a retention's earlier stamp).
"""

from __future__ import annotations

import logging
from time import perf_counter

import requests
from sqlalchemy.orm import Session

from timbre.cfdi import xmlsafe
from timbre.cfdi.pac import PAC, PacRejected, PacUnavailable
from timbre.cfdi.retenciones.seal import find_timbre
from timbre.invoices.repository import CreditRepository
from timbre.invoices.stamping import ALREADY_STAMPED, Attempt, error_of, unexpected
from timbre.kit import metrics
from timbre.kit.clock import now_ms
from timbre.models import Retention

log = logging.getLogger("timbre.retentions")


def attempt(pac: PAC, xml: bytes, *, recovering: bool = False) -> Attempt:
    """One call to the PAC with the sealed retention; its answer is checked to be this document stamped."""
    start = perf_counter()
    outcome = _call(pac, xml, recovering)
    metrics.PAC_LATENCY.labels(pac.name, "stamp_retention").observe(perf_counter() - start)
    if outcome.result is not None:
        try:
            timbre = find_timbre(xmlsafe.parse(outcome.result.xml))
            if timbre is None or timbre.get("SelloCFD") != xmlsafe.parse(xml).get("Sello"):
                raise PacUnavailable("the PAC returned a stamp that does not belong to this retention")
        except (PacUnavailable, xmlsafe.XmlError) as exc:
            return Attempt(unavailable=str(exc))
    return outcome


def _call(pac: PAC, xml: bytes, recovering: bool) -> Attempt:
    try:
        return Attempt(result=pac.stamp_retention(xml))
    except PacRejected as exc:
        if recovering and exc.code == ALREADY_STAMPED:
            return Attempt(unavailable=f"{pac.name} reports the retention as already stamped ({exc.message}): a "
                                       "previous answer was lost and its stamp cannot be fetched automatically")
        return Attempt(rejected=exc)
    except PacUnavailable as exc:
        return Attempt(unavailable=exc.message)
    except (requests.RequestException, OSError) as exc:  # a network error the adapter did not map: retried
        log.warning("network error from PAC %s: %s", pac.name, exc)
        return Attempt(unavailable=f"network error: {type(exc).__name__}")
    except Exception as exc:  # not a network error: the same bytes would fail the same way for ever
        log.exception("unexpected error from PAC %s", pac.name)
        return Attempt(rejected=unexpected("pac_error", "stamping", exc))


def apply(session: Session, retention: Retention, outcome: Attempt, pac: PAC) -> str:
    """Record the attempt on the (locked, still pending) retention; returns its new status."""
    retention.pac = pac.name
    if outcome.result is not None:
        result = outcome.result
        retention.status, retention.uuid, retention.xml, retention.error = "valid", result.uuid, result.xml, None
        retention.stamped_at = now_ms()
        retention.stamp = {"stamped_at": result.fecha_timbrado.isoformat(),
                           "no_certificado_sat": result.no_certificado_sat}
        return "valid"
    if outcome.rejected is not None:
        retention.status, retention.error = "failed", error_of(outcome.rejected)
        CreditRepository.from_session(session).refund(retention.team_id)
        return "failed"
    retention.error = {"code": "pac_unavailable", "message": outcome.unavailable or "the PAC did not answer",
                       "details": [], "attempts": retention.attempts}
    return "pending"


def abandon(session: Session, retention: Retention) -> None:
    """A pending retention whose request ended before its document was sealed: it never reached a PAC."""
    retention.status = "failed"
    retention.error = {"code": "not_sealed", "message": "The request that created this retention ended before "
                       "its document was sealed; nothing was sent to a PAC, and the folio is skipped", "details": []}
    CreditRepository.from_session(session).refund(retention.team_id)
